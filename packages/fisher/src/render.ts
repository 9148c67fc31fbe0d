import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { VegaLiteSpec } from './plot-specs';

/** A vega-lite spec rendered headless to SVG by vega. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The same as PNG bytes (the SVG rasterised by resvg, white background, `scale`× resolution). */
export async function renderPng(spec: VegaLiteSpec, o: { scale?: number } = {}): Promise<Uint8Array> {
  const svg = await renderSvg(spec);
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: o.scale ?? 2 }, font: { loadSystemFonts: true } }).render().asPng();
  return new Uint8Array(png);
}
