import type { FisherResult } from './fisher-result';
import type { GroupChange } from './parameter-change';
import { layerOf } from './components';

/** A vega-lite specification (rendered by `@tfjs-peft/fisher/plot` in Node, or vega-embed in a page). */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/**
 * The row label of a LayerNorm parameter in full: `layer 3 · attention.output.LayerNorm.weight (γ)`,
 * `embeddings.LayerNorm.bias (β)` (the model prefix before the layer or `embeddings` is dropped).
 */
export function layerNormRowLabel(name: string): string {
  const l = layerOf(name);
  const path = name.replace(/^.*?(embeddings\.|layers?\.\d+\.)/, '$1').replace(/^layers?\.\d+\./, '');
  const greek = /\.weight$/.test(path) ? ' (γ)' : /\.bias$/.test(path) ? ' (β)' : '';
  return `${l == null ? '' : `layer ${l} · `}${path}${greek}`;
}

/**
 * Heatmap of per-element values of LayerNorm parameters: one row per LayerNorm parameter, labelled
 * in full (`layer 3 · output.LayerNorm.weight (γ)`), one column per hidden dimension. `values` is a
 * Fisher result or any name → per-element array (e.g. |Δγ| from a fine-tuning run). `log` plots
 * log10. The colour scale is titled in full: `legend`, else for a Fisher result
 * `log10 of the diagonal Fisher information (per element)`.
 */
export function layerNormHeatmapSpec(
  values: FisherResult | Map<string, ArrayLike<number>>,
  o: { title?: string; log?: boolean; names?: (name: string) => boolean; legend?: string; width?: number } = {},
): VegaLiteSpec {
  const isFisher = 'values' in values && values.values instanceof Map;
  const map = isFisher ? (values as FisherResult).values : (values as Map<string, ArrayLike<number>>);
  const rows: { row: string; dim: number; value: number }[] = [];
  const order: string[] = [];
  for (const [name, arr] of map) {
    if (o.names && !o.names(name)) continue;
    const row = layerNormRowLabel(name);
    order.push(row);
    for (let i = 0; i < arr.length; i++) rows.push({ row, dim: i, value: o.log ? Math.log10(Math.max(arr[i]!, 1e-30)) : arr[i]! });
  }
  const measure = isFisher ? 'the diagonal Fisher information (per element)' : 'the value (per element)';
  const legend = o.legend ?? (o.log ? `log10 of ${measure}` : measure.replace(/^the /, ''));
  return {
    $schema: SCHEMA,
    title: o.title ?? 'LayerNorm',
    width: o.width ?? 640,
    height: { step: 14 },
    data: { values: rows },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'dim', type: 'ordinal', title: 'hidden dimension', axis: { labels: false, ticks: false } },
      y: { field: 'row', type: 'ordinal', title: 'LayerNorm parameter (layer · module · γ scale / β shift)', sort: order, axis: { labelLimit: 0, titleLimit: 0 } },
      color: {
        field: 'value',
        type: 'quantitative',
        title: legend,
        scale: { scheme: 'viridis' },
        legend: { orient: 'bottom', direction: 'horizontal', titleLimit: 0, gradientLength: 320 },
      },
    },
    config: { view: { stroke: null } },
  };
}

/** Bar chart of change per component (from `changeByComponent`), sorted as given. */
export function componentChangeSpec(groups: GroupChange[], o: { title?: string; measure?: 'relative' | 'meanAbs' | 'l2' } = {}): VegaLiteSpec {
  const m = o.measure ?? 'relative';
  const label = { relative: '‖Δθ‖ / ‖θ‖', meanAbs: 'mean |Δθ|', l2: '‖Δθ‖' }[m];
  return {
    $schema: SCHEMA,
    title: o.title ?? `Change by component (${label})`,
    width: 480,
    height: { step: 18 },
    data: { values: groups.map((g) => ({ component: g.key, value: g[m], layerNorm: g.key.endsWith('LayerNorm') ? 'LayerNorm' : 'other' })) },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'component', type: 'nominal', sort: groups.map((g) => g.key), title: null },
      x: { field: 'value', type: 'quantitative', title: label },
      color: { field: 'layerNorm', type: 'nominal', title: null, scale: { domain: ['LayerNorm', 'other'], range: ['#d62728', '#7f7f7f'] } },
    },
  };
}

/** Heatmap of change per (layer, component), from `changeByLayer`. */
export function layerComponentChangeSpec(cells: { layer: number; component: string; relative: number }[], o: { title?: string } = {}): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title: o.title ?? 'Relative change ‖Δθ‖/‖θ‖ by layer and component',
    width: { step: 36 },
    height: { step: 18 },
    data: { values: cells.map((c) => ({ layer: c.layer, component: c.component, value: c.relative })) },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'layer', type: 'ordinal', title: 'layer' },
      y: { field: 'component', type: 'nominal', title: null },
      color: { field: 'value', type: 'quantitative', title: '‖Δθ‖/‖θ‖', scale: { scheme: 'inferno', reverse: true } },
    },
  };
}

/** Line chart of a dev metric against the fraction of LayerNorm elements tuned. */
export function fractionCurveSpec(points: { fraction: number; metric: number; series?: string }[], o: { title?: string; metric?: string } = {}): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title: o.title ?? 'Dev metric against the fraction of LayerNorm tuned',
    width: 420,
    height: 260,
    data: { values: points.map((p) => ({ ...p, series: p.series ?? 'Fisher top-k' })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'fraction', type: 'quantitative', title: 'fraction of LayerNorm elements tuned', scale: { type: 'log' } },
      y: { field: 'metric', type: 'quantitative', title: o.metric ?? 'dev metric', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}
