import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jpeg from 'jpeg-js';
import { encode as encodePng } from 'fast-png';
import { decodeImage, readImage, loadVqaRad, loadSlake, loadIuXray, loadMileInstructions, drawPrompt, vqaSummary, DataFormatError } from '../index';

const SHARED = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared');
const DATA = join(SHARED, 'data');
const ready = existsSync(join(DATA, 'vqa_rad')) && existsSync(join(DATA, 'slake')) && existsSync(join(DATA, 'iu_xray'));

describe('image decoding (pure JS: Node and browsers)', () => {
  it('decodes PNG (RGB, RGBA, grey, 16-bit, palette-free) and JPEG to interleaved 8-bit pixels', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    expect(decodeImage(encodePng({ width: 2, height: 2, data: rgb, channels: 3 }))).toEqual({ data: rgb, width: 2, height: 2, channels: 3 });
    const rgba = new Uint8Array(16).fill(200);
    expect(decodeImage(encodePng({ width: 2, height: 2, data: rgba, channels: 4 })).channels).toBe(4);
    const grey = decodeImage(encodePng({ width: 3, height: 1, data: new Uint8Array([0, 128, 255]), channels: 1 }));
    expect([...grey.data]).toEqual([0, 128, 255]);
    const deep = decodeImage(encodePng({ width: 2, height: 1, data: new Uint16Array([65535, 256]), channels: 1, depth: 16 }));
    expect([...deep.data]).toEqual([255, 1]);
    // a flat grey JPEG decodes to (almost) the same grey
    const w = 16;
    const h = 8;
    const j = jpeg.encode({ width: w, height: h, data: new Uint8Array(w * h * 4).fill(128) }, 95);
    const d = decodeImage(new Uint8Array(j.data));
    expect([d.width, d.height, d.channels]).toEqual([16, 8, 3]);
    expect(Math.max(...Array.from(d.data, (v) => Math.abs(v - 128)))).toBeLessThanOrEqual(2);
  });

  it('a corrupt, unknown or missing image is an error naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-img-'));
    const j = jpeg.encode({ width: 32, height: 32, data: new Uint8Array(32 * 32 * 4).fill(90) }, 90);
    await writeFile(join(dir, 'cut.jpg'), new Uint8Array(j.data).slice(0, 200));
    await expect(readImage(join(dir, 'cut.jpg'))).rejects.toThrow(/cut\.jpg: corrupt JPEG/);
    await writeFile(join(dir, 'notes.png'), 'hello');
    await expect(readImage(join(dir, 'notes.png'))).rejects.toThrow(/notes\.png: not a JPEG or PNG file \(first bytes 68 65 6c 6c\)/);
    await expect(readImage(join(dir, 'missing.jpg'))).rejects.toThrow(DataFormatError);
    await expect(readImage(join(dir, 'missing.jpg'))).rejects.toThrow(/missing\.jpg: cannot read the image/);
  });
});

describe('MILE instruction format', () => {
  it('reads {img_name, qid, answer, question_pool}; one prompt drawn per use; bad items are named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-mile-'));
    const f = join(dir, 'RAD_instruction_data.json');
    await writeFile(
      f,
      JSON.stringify([
        {
          img_name: 'vqa-rad/synpic54610.jpg',
          qid: 5924,
          answer: 'Yes',
          question_pool: ['<image>Question:{A?}Option:{(a)Yes; (b)No} Answer:', '<image>What is the answer to the following question?"A?"'],
        },
        { img_name: 'x.jpg', qid: 1, answer: 3, question_pool: ['q'] },
      ]),
    );
    const items = await loadMileInstructions(f);
    expect(items[1]).toEqual({ image: 'x.jpg', qid: '1', answer: '3', questionPool: ['q'] });
    expect(drawPrompt(items[0]!, () => 0.99)).toMatch(/following question/);
    expect(drawPrompt(items[0]!, () => 0)).toMatch(/Answer:$/);
    await writeFile(f, JSON.stringify([{ img_name: 'a.jpg', qid: 1, answer: 'no', question_pool: [] }]));
    await expect(loadMileInstructions(f)).rejects.toThrow(/RAD_instruction_data\.json: item 0: "question_pool" must be a non-empty list of strings/);
  });
});

describe.skipIf(!ready)('medical datasets on the real files', () => {
  it('VQA-RAD: the test_* phrase types are the 451-question test split; every referenced image decodes', async () => {
    const test = await loadVqaRad(join(DATA, 'vqa_rad'), 'test');
    const train = await loadVqaRad(join(DATA, 'vqa_rad'), 'train');
    expect(test.items).toHaveLength(451);
    expect(train.items).toHaveLength(2248 - 451);
    expect(test.imagesPresent).toBe(true);
    const s = vqaSummary(test.items);
    expect(s.byAnswerType.CLOSED! + s.byAnswerType.OPEN!).toBe(451); // "CLOSED " with a space is folded in
    expect(Object.keys(s.byOrgan).sort()).toEqual(['ABD', 'CHEST', 'HEAD']);
    const first = await readImage(join(test.imageRoot, test.items[0]!.image));
    expect(first.width).toBeGreaterThan(100);
    expect([1, 3]).toContain(first.channels);
  });

  it('SLAKE: English questions by default (1,061 in test), images reported absent', async () => {
    const test = await loadSlake(join(DATA, 'slake'), 'test');
    expect(test.items).toHaveLength(1061);
    expect(test.imagesPresent).toBe(false);
    expect(test.items[0]!.image).toMatch(/^xmlab\d+\/source\.jpg$/);
    expect((await loadSlake(join(DATA, 'slake'), 'test', { language: 'all' })).items.length).toBeGreaterThan(1061);
  });

  it('IU X-Ray: R2Gen annotation splits with reports and two image paths', async () => {
    const r = await loadIuXray(join(DATA, 'iu_xray'), 'test');
    expect(r.items.length).toBeGreaterThan(500);
    expect(r.items[0]!.images[0]).toMatch(/\/0\.png$/);
    expect(r.items[0]!.report.length).toBeGreaterThan(10);
    await expect(loadIuXray(join(DATA, 'iu_xray'), 'dev' as never)).rejects.toThrow(/no "dev" list; keys: train, val, test/);
  });
});
describe.skipIf(ready)('medical datasets on the real files', () => it.skip(`../shared/data (vqa_rad, slake, iu_xray) not found (${SHARED}); skipped`, () => undefined));
