/**
 * Loading by hub id end to end: a base model, its tokenizer and a PEFT adapter served by a local
 * server that speaks the hub's resolve protocol, loaded with `fromPretrained('org/name', …)`
 * into a temporary Hugging Face cache, then again offline with the server stopped.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HubOfflineError, MemoryFolder, rawToTypedArray, readSafetensors, type HubProgress } from '@tfjs-peft/core';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { AutoModelForSequenceClassification } from '@tfjs-peft/models/auto';
import { AutoTokenizer } from '@tfjs-peft/models/tokenizer';
import { AutoPeftModel } from './index';
import { loadPeft } from '../io/load';
// the test hub server lives with the hub code in core (test-only, not exported)
import { startHubServer, type HubServer } from '../../../core/src/hub/testing/hub-server';

const DORA = fileURLToPath(new URL('../dora/golden/peft-dora-bert/', import.meta.url));
const TOKENIZER = fileURLToPath(new URL('../../../models/src/tokenizer/fixtures/wordpiece/', import.meta.url));
const PY = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../.venv-hf/bin/python');
const hasPy = existsSync(PY) && spawnSync(PY, ['-c', 'import huggingface_hub'], { encoding: 'utf8' }).status === 0;
const PY_REASON = hasPy ? 'huggingface_hub in .venv-hf' : 'no .venv-hf/bin/python with huggingface_hub: the Python download step is skipped';
const bytes = async (dir: string, f: string) => new Uint8Array(await readFile(join(dir, f)));

const logitsOf = async (m: { forward(i: never): unknown }, x: Record<string, tf.Tensor>) => {
  const o = m.forward(x as never) as Record<string, tf.Tensor>;
  const v = Array.from(await o.logits!.data());
  tf.dispose(Object.values(o));
  return v;
};
const paramsOf = async (m: BertForSequenceClassification) => new Map(await Promise.all(m.namedParameters().map(async ([n, p]) => [n, Array.from(await p.value.data())] as const)));

let server: HubServer;
let cacheDir: string;
let shardFiles: string[];
let pyCache: string | null = null;

beforeAll(async () => {
  await useBackend('cpu');
  const local = await BertForSequenceClassification.fromPretrained(DORA);
  const sharded = new MemoryFolder('sharded');
  await local.savePretrained(sharded, { maxShardBytes: 8_000 });
  shardFiles = sharded.paths();
  local.dispose();
  const adapterConfig = JSON.parse(await readFile(join(DORA, 'adapter/adapter_config.json'), 'utf8')) as Record<string, unknown>;
  server = await startHubServer({
    'org/tiny-bert': {
      files: {
        'config.json': await bytes(DORA, 'config.json'),
        'model.safetensors': await bytes(DORA, 'model.safetensors'),
        'tokenizer.json': await bytes(TOKENIZER, 'tokenizer.json'),
        'tokenizer_config.json': await bytes(TOKENIZER, 'tokenizer_config.json'),
      },
    },
    'org/tiny-bert-sharded': { files: Object.fromEntries(await Promise.all(shardFiles.map(async (f) => [f, await sharded.read(f)] as const))) },
    'org/tiny-bert-dora': {
      files: {
        'adapter_config.json': JSON.stringify({ ...adapterConfig, base_model_name_or_path: 'org/tiny-bert' }),
        'adapter_model.safetensors': await bytes(DORA, 'adapter/adapter_model.safetensors'),
      },
    },
  });
  cacheDir = await mkdtemp(join(tmpdir(), 'tfjs-peft-hub-load-'));
  process.env.HF_TOKEN_PATH = join(cacheDir, 'no-token'); // hermetic: never a login token of this machine
});
afterAll(() => server?.close());

describe('fromPretrained with a hub id', () => {
  it('loads a BERT checkpoint and its tokenizer into the Hugging Face cache, with the weights of the local folder', async () => {
    const events: HubProgress[] = [];
    const hub = await BertForSequenceClassification.fromPretrained('org/tiny-bert', { endpoint: server.endpoint, cacheDir, onProgress: (p) => events.push(p) });
    const local = await BertForSequenceClassification.fromPretrained(DORA);
    expect(hub.nameOrPath).toBe('org/tiny-bert');
    expect(await paramsOf(hub)).toEqual(await paramsOf(local));
    expect(new Set(events.map((e) => e.file))).toEqual(new Set(['config.json', 'model.safetensors']));
    const snapshot = join(cacheDir, 'models--org--tiny-bert', 'snapshots', server.commitOf('org/tiny-bert'));
    expect((await readdir(snapshot)).sort()).toEqual(['config.json', 'model.safetensors']);

    const tok = await AutoTokenizer.fromPretrained('org/tiny-bert', { endpoint: server.endpoint, cacheDir });
    const localTok = await AutoTokenizer.fromPretrained(TOKENIZER);
    expect(tok.encode('hello world, unaffable')).toEqual(localTok.encode('hello world, unaffable'));
    const auto = await AutoModelForSequenceClassification.fromPretrained('org/tiny-bert', { endpoint: server.endpoint, cacheDir });
    expect(auto).toBeInstanceOf(BertForSequenceClassification);
    for (const m of [hub, local, auto]) m.dispose();
  });

  it('loads a sharded checkpoint (model.safetensors.index.json, written by savePretrained) through the hub', async () => {
    expect(shardFiles).toContain('model.safetensors.index.json');
    expect(shardFiles.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).length).toBeGreaterThanOrEqual(2);
    const hub = await BertForSequenceClassification.fromPretrained('org/tiny-bert-sharded', { endpoint: server.endpoint, cacheDir });
    const local = await BertForSequenceClassification.fromPretrained(DORA);
    expect(await paramsOf(hub)).toEqual(await paramsOf(local));
    hub.dispose();
    local.dispose();
  });

  it("AutoPeftModel loads a hub adapter onto the hub base it names, with PEFT's logits", async () => {
    const peft = await AutoPeftModel.fromPretrained('org/tiny-bert-dora', { endpoint: server.endpoint, cacheDir });
    expect(peft.base_model).toBeInstanceOf(BertForSequenceClassification);
    const read = async (f: string) => new Map([...(await readSafetensors(join(DORA, f))).tensors].map(([k, r]) => [k, rawToTypedArray(r, k)]));
    const inp = await read('inputs.safetensors');
    const out = await read('outputs.safetensors');
    const t2 = (k: string) => tf.tensor(inp.get(k)!, [3, 7], 'int32');
    const x = { inputIds: t2('input_ids'), attentionMask: t2('attention_mask'), tokenTypeIds: t2('token_type_ids') };
    assertClose(await logitsOf(peft, x), out.get('logits')!, 'DoRA from the hub', { atol: 1e-4, rtol: 0 });
    // loadPeft takes a hub id too
    const base = await BertForSequenceClassification.fromPretrained('org/tiny-bert', { endpoint: server.endpoint, cacheDir });
    const again = await loadPeft(base, 'org/tiny-bert-dora', { endpoint: server.endpoint, cacheDir });
    assertClose(await logitsOf(again, x), out.get('logits')!, 'DoRA via loadPeft from the hub', { atol: 1e-4, rtol: 0 });
    tf.dispose(Object.values(x));
    peft.dispose();
    again.dispose();
  });

  it.skipIf(!hasPy)(`Python's snapshot_download fills another cache from the same server (${PY_REASON})`, { timeout: 60_000 }, async () => {
    pyCache = await mkdtemp(join(tmpdir(), 'tfjs-peft-hub-py-'));
    const env = { ...process.env, HF_ENDPOINT: server.endpoint, HF_HUB_CACHE: pyCache, HF_HUB_DISABLE_PROGRESS_BARS: '1', HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_XET: '1' };
    // asynchronous: the server answers from this process
    const out = await new Promise<string>((ok, fail) =>
      execFile(PY, ['-c', "from huggingface_hub import snapshot_download; print(snapshot_download('org/tiny-bert'))"], { env, encoding: 'utf8', timeout: 60_000 }, (e, o, err) =>
        e ? fail(new Error(`${e.message}\n${err}`)) : ok(o.trim()),
      ),
    );
    expect(out).toBe(join(pyCache, 'models--org--tiny-bert', 'snapshots', server.commitOf('org/tiny-bert')));
  });

  it('loads all of it again offline, from the cache, with the server stopped', async () => {
    await server.close();
    const offline = { endpoint: server.endpoint, cacheDir, localFilesOnly: true };
    const model = await BertForSequenceClassification.fromPretrained('org/tiny-bert', offline);
    const local = await BertForSequenceClassification.fromPretrained(DORA);
    expect(await paramsOf(model)).toEqual(await paramsOf(local));
    const sharded = await BertForSequenceClassification.fromPretrained('org/tiny-bert-sharded', offline);
    expect(await paramsOf(sharded)).toEqual(await paramsOf(local));
    expect((await AutoTokenizer.fromPretrained('org/tiny-bert', offline)).encode('hello')).toEqual((await AutoTokenizer.fromPretrained(TOKENIZER)).encode('hello'));
    const peft = await AutoPeftModel.fromPretrained('org/tiny-bert-dora', offline);
    expect(peft.base_model).toBeInstanceOf(BertForSequenceClassification);
    // and without localFilesOnly: the refused connection falls back to the cache, as huggingface_hub does
    (await BertForSequenceClassification.fromPretrained('org/tiny-bert', { endpoint: server.endpoint, cacheDir })).dispose();
    await expect(BertForSequenceClassification.fromPretrained('org/other', offline)).rejects.toThrow(HubOfflineError);
    if (pyCache) {
      // what Python downloaded loads here offline: model and tokenizer
      const fromPy = await BertForSequenceClassification.fromPretrained('org/tiny-bert', { cacheDir: pyCache, localFilesOnly: true });
      expect(await paramsOf(fromPy)).toEqual(await paramsOf(local));
      expect((await AutoTokenizer.fromPretrained('org/tiny-bert', { cacheDir: pyCache, localFilesOnly: true })).encode('hello')).toEqual(
        (await AutoTokenizer.fromPretrained(TOKENIZER)).encode('hello'),
      );
      fromPy.dispose();
    }
    for (const m of [model, local, sharded, peft]) m.dispose();
  });
});
