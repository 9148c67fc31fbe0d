import { readText, joinPath } from '@tfjs-peft/core';
import { DataFormatError } from '../errors';

export interface ReportItem {
  id: string;
  report: string;
  /** image paths relative to the image root (`<id>/0.png`, `<id>/1.png`) */
  images: string[];
}

/**
 * IU X-Ray for report generation from R2Gen's `annotation.json` (`{train, val, test}` lists of
 * `{id, report, image_path, split}`); `dir` holds the annotation file (`annotation.json` or
 * `r2gen_annotation.json`) and, usually, `images/`.
 */
export async function loadIuXray(dir: string | URL, split: 'train' | 'val' | 'test'): Promise<{ items: ReportItem[]; imageRoot: string; file: string }> {
  let read: { text: string; label: string } | null = null;
  for (const name of ['annotation.json', 'r2gen_annotation.json']) {
    try {
      read = await readText(joinPath(dir, name));
      break;
    } catch {
      // try the next name
    }
  }
  if (!read) throw new DataFormatError(String(dir), null, 'no annotation.json (or r2gen_annotation.json) found');
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(read.text);
  } catch (e) {
    throw new DataFormatError(read.label, null, `not valid JSON (${(e as Error).message})`);
  }
  const rows = doc[split];
  if (!Array.isArray(rows)) throw new DataFormatError(read.label, null, `no "${split}" list; keys: ${Object.keys(doc).join(', ')}`);
  const items = rows.map((r: Record<string, unknown>, i) => {
    if (typeof r.id !== 'string' || typeof r.report !== 'string' || !Array.isArray(r.image_path)) {
      throw new DataFormatError(read!.label, null, `${split}[${i}]: expected {id: string, report: string, image_path: string[]}`);
    }
    return { id: r.id, report: r.report, images: r.image_path.map(String) };
  });
  return { items, imageRoot: String(joinPath(dir, 'images')), file: read.label };
}
