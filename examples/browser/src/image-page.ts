/**
 * Image decoding and preprocessing in the page: `decodeImage`/`readImage` (pure-JS JPEG and PNG)
 * and `ViTImageProcessor`, the same code Node runs. `window.tfjsPeftImage` exposes them for the
 * end-to-end test.
 */
import { decodeImage, readImage, type DecodedImage } from '@tfjs-peft/datasets';
import { ViTImageProcessor } from '@tfjs-peft/models/vit';

const CLIP = { image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711] };

export interface ImageSummary {
  width: number;
  height: number;
  channels: number;
  /** sum of all decoded bytes, and a few of them, to compare with Node */
  byteSum: number;
  firstBytes: number[];
  /** the processor's CHW float values: length and sum */
  pixelValues: { length: number; sum: number; first: number[] };
}

declare global {
  interface Window {
    tfjsPeftImage: {
      /** decodes bytes (base64) as the file `name`; an error's message is returned, not thrown */
      decode(base64: string, name: string, size: number): ImageSummary | { error: string };
      /** reads an image from a URL the way loaders do (`readImage`) */
      read(url: string, size: number): Promise<ImageSummary | { error: string }>;
    };
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function processor(size: number, clip: boolean): ViTImageProcessor {
  return ViTImageProcessor.fromConfig({ size: { height: size, width: size }, resample: 3, ...(clip ? CLIP : {}) });
}

function summarise(img: DecodedImage, size: number, clip = false): ImageSummary {
  const values = processor(size, clip).preprocessOne(img);
  let byteSum = 0;
  for (const v of img.data) byteSum += v;
  let sum = 0;
  for (const v of values) sum += v;
  return {
    width: img.width,
    height: img.height,
    channels: img.channels,
    byteSum,
    firstBytes: Array.from(img.data.subarray(0, 12)),
    pixelValues: { length: values.length, sum, first: Array.from(values.subarray(0, 6)) },
  };
}

function draw(canvas: HTMLCanvasElement, width: number, height: number, rgba: (i: number) => [number, number, number]): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const out = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = rgba(i);
    out.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(out, 0, 0);
}

function show(img: DecodedImage, label: string): void {
  const size = Number($<HTMLInputElement>('size').value) || 224;
  const clip = $<HTMLInputElement>('clip-norm').checked;
  const p = processor(size, clip);
  const values = p.preprocessOne(img);
  const c = img.channels;
  draw($('decoded'), img.width, img.height, (i) => (c >= 3 ? [img.data[i * c]!, img.data[i * c + 1]!, img.data[i * c + 2]!] : [img.data[i]!, img.data[i]!, img.data[i]!]));
  const { imageMean: m, imageStd: s } = p.config;
  const plane = size * size;
  const px = (ch: number, i: number) => Math.round(Math.min(1, Math.max(0, values[ch * plane + i]! * s[ch]! + m[ch]!)) * 255);
  draw($('pixels'), size, size, (i) => [px(0, i), px(1, i), px(2, i)]);
  $('image-info').textContent = `${label}: ${img.width} × ${img.height}, ${img.channels} channel${img.channels > 1 ? 's' : ''} → pixel_values [1, 3, ${size}, ${size}]`;
  $('error').hidden = true;
}

function fail(e: unknown): void {
  $('error').hidden = false;
  $('error').textContent = (e as Error).message;
}

$<HTMLInputElement>('image-file').addEventListener('change', async (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (!f) return;
  try {
    show(decodeImage(new Uint8Array(await f.arrayBuffer()), f.name), f.name);
  } catch (e) {
    fail(e);
  }
});
$('image-load').addEventListener('click', async () => {
  const url = $<HTMLInputElement>('image-url').value.trim();
  try {
    show(await readImage(url), url);
  } catch (e) {
    fail(e);
  }
});

window.tfjsPeftImage = {
  decode(base64, name, size) {
    try {
      const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
      return summarise(decodeImage(bytes, name), size);
    } catch (e) {
      return { error: (e as Error).message };
    }
  },
  async read(url, size) {
    try {
      return summarise(await readImage(url), size);
    } catch (e) {
      return { error: (e as Error).message };
    }
  },
};
