import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { BertForSequenceClassification } from '../bert';
import { GOLDEN_DIR, GOLDEN_MISSING, hasGolden, readGolden, expectOutput } from '../testing/golden';

describe.skipIf(!hasGolden)('fromPretrained from a URL (as a browser loads a hub folder)', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];
  beforeAll(async () => {
    await useBackend('cpu');
    server = createServer(async (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const path = normalize(join(GOLDEN_DIR, decodeURIComponent(req.url ?? '/')));
      if (!path.startsWith(GOLDEN_DIR)) return void res.writeHead(403).end();
      try {
        const body = await readFile(path);
        res.writeHead(200, { 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('loads config.json and model.safetensors over HTTP and matches the golden logits', async () => {
    const c = await readGolden('bert-seqcls');
    const model = await BertForSequenceClassification.fromPretrained(`${base}/bert-seqcls`);
    const out = model.forward({ inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask'), tokenTypeIds: c.inputs.get('token_type_ids') });
    await expectOutput(out.logits, c, 'logits');
    expect(requests).toContain('GET /bert-seqcls/model.safetensors');
    tf.dispose([out.logits, out.lastHiddenState, out.poolerOutput!]);
    model.dispose();
    await expect(BertForSequenceClassification.fromPretrained(`${base}/nope`)).rejects.toThrow(/HTTP 404/);
  });
});
describe.skipIf(hasGolden)('fromPretrained from a URL', () => it.skip(GOLDEN_MISSING, () => undefined));
