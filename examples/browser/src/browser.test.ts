/**
 * End to end: the built page trains the embedded BERT in headless Chromium on webgpu (SwiftShader
 * when there is no GPU) and on wasm, the loss falls, and the adapter it downloads loads in Node
 * with `loadPeft` and reproduces the page's logits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { MemoryFolder } from '@tfjs-peft/core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { BertForSequenceClassification, BertTokenizer } from '@tfjs-peft/models/bert';
import { loadPeft } from '@tfjs-peft/adapters';
import { collateText } from '@tfjs-peft/datasets';
import { decodeImage } from '@tfjs-peft/datasets';
import { ViTImageProcessor } from '@tfjs-peft/models/vit';
import { encode as encodePng } from 'fast-png';
import * as jpeg from 'jpeg-js';
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { PAGE_ROOT, buildAndServe, findChromium, runPage, withPage, type PageServer } from './page-driver';
import type { ImageSummary } from './image-page';

const EMBEDDED_MODEL = join(PAGE_ROOT, '../../assets/bert-tiny-tfjs-peft');
const chromium = findChromium();
if (!chromium) console.warn('[browser e2e] skipped: no chromium (install Debian chromium, as .ci/run does, or set CHROMIUM_PATH)');

/** One fixed batch of 8 examples trained for 12 steps: its loss must fall whatever the backend. */
const QUERY = { trainLimit: 8, batchSize: 8, steps: 12, lr: 0.01, maxLength: 32, devLimit: 8, evalEvery: 6 };

/** The adapter from the page's zip, loaded in Node on the same base checkpoint; logits of `texts`. */
async function logitsInNode(zip: Uint8Array, texts: string[], maxLength: number): Promise<number[][]> {
  const folder = new MemoryFolder('downloaded-adapter');
  for (const [name, bytes] of Object.entries(unzipSync(zip))) folder.set(name, bytes);
  const tokenizer = await BertTokenizer.fromPretrained(EMBEDDED_MODEL);
  const base = await BertForSequenceClassification.fromPretrained(EMBEDDED_MODEL, {
    config: { num_labels: 2, id2label: undefined, label2id: undefined },
    ignoreMismatchedSizes: true,
    onWarning: () => undefined,
  });
  const peft = await loadPeft(base, folder);
  peft.eval();
  const b = collateText(
    tokenizer,
    texts.map((t) => ({ textA: t, textB: null, label: null })),
    { maxLength },
  );
  const logits = tf.tidy(() => (peft.forward({ ...b }) as { logits: tf.Tensor }).logits);
  const v = Array.from(await logits.data());
  const k = logits.shape[1]!;
  tf.dispose([logits, b.inputIds, b.attentionMask, b.tokenTypeIds]);
  peft.dispose();
  return texts.map((_, i) => v.slice(i * k, (i + 1) * k));
}

let server: PageServer;
let outDir: string;
beforeAll(async () => {
  if (!chromium) return;
  outDir = await mkdtemp(join(tmpdir(), 'tfjs-peft-page-'));
  server = await buildAndServe(outDir);
  await useBackend('wasm');
});
afterAll(async () => {
  await server?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe.skipIf(!chromium)('training page (headless Chromium)', () => {
  for (const [backend, method, atol] of [
    ['webgpu', 'ln-tuning', 2e-3],
    ['wasm', 'lora', 1e-4],
  ] as const) {
    it(`trains with ${method} on ${backend}: the loss falls, and the downloaded adapter reproduces the page's outputs in Node`, async () => {
      const run = await runPage(server.url, { ...QUERY, backend, method });
      const { state } = run;
      expect(state.state, `${state.error ?? ''}\n${run.console.join('\n')}`).toBe('done');
      // asked for explicitly, so no silent fallback: the page ran where it was told to
      expect(state.backend).toBe(backend);
      expect(state.notice ?? null).toBeNull();
      expect(run.visibleNotice).toBeNull();
      const r = state.result!;
      expect(r.losses.length).toBe(QUERY.steps);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(r.losses.slice(-3))).toBeLessThan(mean(r.losses.slice(0, 3)) - 0.02);
      expect(r.history.map((h) => h.step)).toEqual([6, 12]);
      // LayerNorms (1,280) + the classifier head (258, modules_to_save)
      if (method === 'ln-tuning') expect(r.trainable).toMatch(/^trainable params: 1,538 \|\| all params: 4,387,716 \|\| /);
      expect(r.adapterFiles).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
      expect(run.download).not.toBeNull();
      const node = await logitsInNode(run.download!, r.probe.texts, r.probe.maxLength);
      expect(node.length).toBe(r.probe.logits.length);
      const diff = Math.max(...node.flatMap((row, i) => row.map((v, j) => Math.abs(v - r.probe.logits[i]![j]!))));
      expect(diff).toBeLessThan(atol);
    }, 600_000);
  }

  it('takes the checkpoint from a folder picker and the data from file pickers', async () => {
    const data = join(PAGE_ROOT, '../../data/spam-assassin');
    const run = await runPage(
      server.url,
      { ...QUERY, steps: 2, evalEvery: 0, backend: 'wasm', method: 'ln-tuning' },
      {
        prepare: async (page) => {
          await page.check('input[name="model-source"][value="folder"]');
          await page.setInputFiles('#model-folder', EMBEDDED_MODEL);
          await page.check('input[name="data-source"][value="files"]');
          await page.setInputFiles('#train-file', join(data, 'train.tsv'));
          await page.setInputFiles('#dev-file', join(data, 'dev.tsv'));
        },
      },
    );
    expect(run.state.state, `${run.state.error ?? ''}\n${run.console.join('\n')}`).toBe('done');
    expect(run.state.result!.losses.length).toBe(2);
    const node = await logitsInNode(run.download!, run.state.result!.probe.texts, QUERY.maxLength);
    expect(Math.max(...node.flatMap((row, i) => row.map((v, j) => Math.abs(v - run.state.result!.probe.logits[i]![j]!))))).toBeLessThan(1e-4);
  }, 600_000);

  it('auto prefers WebGPU and falls back to wasm with a visible notice when WebGPU is unavailable', async () => {
    // --disable-features=WebGPU would need a second browser; the page's own fallback is the same path
    // a browser without navigator.gpu takes, so the test hides navigator.gpu before the page starts
    const run = await runPage(server.url, { ...QUERY, steps: 1, evalEvery: 0, backend: 'auto' }, { hideWebGPU: true });
    expect(run.state.state, run.state.error).toBe('done');
    expect(run.state.backend).toBe('wasm');
    expect(run.state.notice).toMatch(/^WebGPU is not available here \(webgpu: this browser has no navigator\.gpu.*\); training on wasm instead\.$/);
    expect(run.visibleNotice).toBe(run.state.notice);
  }, 600_000);
});

/** What Node makes of the same bytes: the page must agree exactly (same decoder, same resampling). */
function nodeSummary(bytes: Uint8Array, name: string, size: number): ImageSummary {
  const img = decodeImage(bytes, name);
  const values = ViTImageProcessor.fromConfig({ size: { height: size, width: size }, resample: 3 }).preprocessOne(img);
  return {
    width: img.width,
    height: img.height,
    channels: img.channels,
    byteSum: img.data.reduce((a, b) => a + b, 0),
    firstBytes: Array.from(img.data.subarray(0, 12)),
    pixelValues: { length: values.length, sum: values.reduce((a, b) => a + b, 0), first: Array.from(values.subarray(0, 6)) },
  };
}

const VQA_RAD_IMAGES = join(PAGE_ROOT, '../../../shared/data/vqa_rad/images');

describe.skipIf(!chromium)('image page: JPEG/PNG decoding and preprocessing in the browser', () => {
  it('decodes PNG (RGB, RGBA, grey, 16-bit) and JPEG bytes as Node does, and names the file of a corrupt one', async () => {
    const w = 37;
    const h = 23;
    const px = (c: number, depth = 255) => Array.from({ length: w * h * c }, (_, i) => (i * 7919) % (depth + 1));
    const cases: [string, Uint8Array][] = [
      ['rgb.png', encodePng({ width: w, height: h, data: Uint8Array.from(px(3)), channels: 3 })],
      ['rgba.png', encodePng({ width: w, height: h, data: Uint8Array.from(px(4)), channels: 4 })],
      ['grey.png', encodePng({ width: w, height: h, data: Uint8Array.from(px(1)), channels: 1 })],
      ['deep.png', encodePng({ width: w, height: h, data: Uint16Array.from(px(3, 65535)), channels: 3, depth: 16 })],
      ['photo.jpg', new Uint8Array(jpeg.encode({ width: w, height: h, data: Buffer.from(px(4)) }, 90).data)],
    ];
    if (existsSync(VQA_RAD_IMAGES)) {
      const real = (await readdir(VQA_RAD_IMAGES))
        .filter((f) => f.endsWith('.jpg'))
        .sort()
        .slice(0, 2);
      for (const f of real) cases.push([f, new Uint8Array(await readFile(join(VQA_RAD_IMAGES, f)))]);
    } else console.warn(`[image page] ${VQA_RAD_IMAGES} absent (the shared data folder): real VQA-RAD images not checked`);
    const broken = cases[4]![1].slice(0, 400);
    await withPage(`${server.url}image.html`, async (page) => {
      for (const [name, bytes] of cases) {
        const got = await page.evaluate(([b64, n]) => window.tfjsPeftImage.decode(b64, n, 32), [Buffer.from(bytes).toString('base64'), name] as const);
        const want = nodeSummary(bytes, name, 32);
        expect(got, name).toEqual({ ...want, pixelValues: { ...want.pixelValues, sum: expect.closeTo(want.pixelValues.sum, 3) } });
      }
      const bad = await page.evaluate(([b64]) => window.tfjsPeftImage.decode(b64!, 'scan-0042.jpg', 32), [Buffer.from(broken).toString('base64')]);
      expect(bad).toEqual({ error: expect.stringMatching(/^scan-0042\.jpg: corrupt JPEG \(/) });
      const notImage = await page.evaluate(() => window.tfjsPeftImage.decode(btoa('hello'), 'notes.txt', 32));
      expect(notImage).toEqual({ error: 'notes.txt: not a JPEG or PNG file (first bytes 68 65 6c 6c)' });
    });
  }, 300_000);

  it('reads an image by URL like the loaders do; a missing one is an error naming it', async () => {
    const png = encodePng({ width: 4, height: 3, data: Uint8Array.from({ length: 36 }, (_, i) => i * 7), channels: 3 });
    await withPage(`${server.url}image.html`, async (page) => {
      // serve a picked-up image from a blob: URL inside the page (no file on the server)
      const blobUrl = await page.evaluate(
        (b64) => URL.createObjectURL(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' })),
        Buffer.from(png).toString('base64'),
      );
      const got = await page.evaluate(([u]) => window.tfjsPeftImage.read(u!, 8), [blobUrl]);
      expect(got).toEqual({ ...nodeSummary(png, 'x.png', 8), pixelValues: expect.objectContaining({ length: 3 * 64 }) });
      const missing = `${server.url}embedded/no-such-image.jpg`;
      const err = await page.evaluate(([u]) => window.tfjsPeftImage.read(u!, 8), [missing]);
      expect(err).toEqual({ error: expect.stringContaining(`${missing}: cannot read the image (`) });
      expect((err as { error: string }).error).toMatch(/HTTP 404/);
    });
  }, 300_000);
});
