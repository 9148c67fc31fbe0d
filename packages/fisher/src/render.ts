import type { VegaLiteSpec } from './plot-specs';
import { FisherError } from './errors';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
type ResvgModule = typeof import('@resvg/resvg-js');

/** The packages `./plot` renders with: optional peer dependencies of `@tfjs-peft/fisher`, installed by the application. */
export const PLOT_PACKAGES = { svg: ['vega', 'vega-lite'], png: ['vega', 'vega-lite', '@resvg/resvg-js'] } as const;

/**
 * Imports an optional peer dependency of `./plot`; when it cannot be loaded, a `FisherError`
 * (`PLOT_DEPENDENCY_MISSING`) names the packages `what` needs and the command that installs them.
 */
export async function importOptional<T>(name: string, what: keyof typeof PLOT_PACKAGES, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (e) {
    const needed = PLOT_PACKAGES[what];
    throw new FisherError(
      'PLOT_DEPENDENCY_MISSING',
      `@tfjs-peft/fisher/plot: rendering to ${what.toUpperCase()} needs ${needed.join(', ')} (optional peer dependencies of @tfjs-peft/fisher, not installed with it); ` +
        `"${name}" could not be loaded (${String((e as Error)?.message ?? e).split('\n')[0]}). Install them: npm install ${needed.join(' ')}`,
    );
  }
}

const loadVega = (what: keyof typeof PLOT_PACKAGES) =>
  Promise.all([importOptional<Vega>('vega', what, () => import('vega')), importOptional<VegaLite>('vega-lite', what, () => import('vega-lite'))]);

/** A vega-lite spec rendered headless to SVG by vega (needs `vega` and `vega-lite` installed). */
export function renderSvg(spec: VegaLiteSpec): Promise<string> {
  return svgOf(spec, 'svg');
}

async function svgOf(spec: VegaLiteSpec, what: keyof typeof PLOT_PACKAGES): Promise<string> {
  const [vega, vl] = await loadVega(what);
  const compiled = vl.compile(spec as unknown as import('vega-lite').TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The same as PNG bytes (the SVG rasterised by resvg, white background, `scale`× resolution; needs `@resvg/resvg-js` too). */
export async function renderPng(spec: VegaLiteSpec, o: { scale?: number } = {}): Promise<Uint8Array> {
  const { Resvg } = await importOptional<ResvgModule>('@resvg/resvg-js', 'png', () => import('@resvg/resvg-js'));
  const svg = await svgOf(spec, 'png');
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: o.scale ?? 2 }, font: { loadSystemFonts: true } }).render().asPng();
  return new Uint8Array(png);
}
