import type { DecodedImage } from '@tfjs-peft/datasets';

/**
 * A stand-in chest film for a report id when the IU X-Ray images are not available: a grey
 * 64 × 64 image with a soft vertical gradient and seeded noise (the seed is a hash of the id), so
 * runs are reproducible. It carries no information about the report: with these images the table
 * measures the text side (what the decoder learns of the reports' language) and the pipeline.
 */
export function generatedImage(id: string, size = 64): DecodedImage {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  let s = h >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const data = new Uint8Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) data[y * size + x] = Math.max(0, Math.min(255, Math.round(60 + 120 * Math.sin((Math.PI * x) / size) + 30 * (rand() - 0.5))));
  return { data, width: size, height: size, channels: 1 };
}
