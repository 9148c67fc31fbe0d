import * as vega from 'vega';
import * as vl from 'vega-lite';

/**
 * The EMA weight for a curve of `n` points: an effective window of about a twentieth of the run
 * (`1 − 1/window`), so 300 steps get ≈ 0.93 and 2,000 get ≈ 0.99; short runs are barely smoothed.
 */
export function emaWeightFor(n: number): number {
  const window = Math.max(1, n / 20);
  return Math.min(0.99, 1 - 1 / window);
}

/**
 * Exponential moving average with TensorBoard's debiasing (`ema_t / (1 − w^t)`), so the curve starts
 * at the first value instead of being pulled towards 0. `w = 0` returns the values.
 */
export function emaSmooth(values: readonly number[], w: number): number[] {
  let ema = 0;
  let norm = 0;
  return values.map((v) => {
    ema = w * ema + (1 - w) * v;
    norm = w * norm + (1 - w);
    return ema / norm;
  });
}

/**
 * Loss curves of several runs as a vega-lite spec: each method's EMA-smoothed loss (weight
 * `smoothing`, default {@link emaWeightFor} the longest run) drawn over its raw per-step loss, faint.
 */
export function lossCurvesSpec(title: string, runs: { method: string; losses: number[] }[], o: { smoothing?: number } = {}): Record<string, unknown> {
  const w = o.smoothing ?? emaWeightFor(Math.max(0, ...runs.map((r) => r.losses.length)));
  const values = runs.flatMap((r) => {
    const smooth = emaSmooth(r.losses, w);
    return r.losses.map((loss, i) => ({ step: i + 1, loss, smoothed: smooth[i]!, method: r.method }));
  });
  const x = { field: 'step', type: 'quantitative', title: 'optimizer step' };
  const color = { field: 'method', type: 'nominal', title: 'method' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: `lines: EMA of the loss (weight ${w.toFixed(2)}); faint: the raw loss of each step` },
    width: 520,
    height: 300,
    data: { values },
    encoding: { x, color },
    layer: [
      { mark: { type: 'line', opacity: 0.18, strokeWidth: 1 }, encoding: { y: { field: 'loss', type: 'quantitative', title: 'training loss' } } },
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { y: { field: 'smoothed', type: 'quantitative', title: 'training loss' } } },
    ],
  };
}

/** Loss curves of several runs as an SVG line chart (vega-lite rendered headless by vega). */
export async function lossCurvesSvg(title: string, runs: { method: string; losses: number[] }[], o: { smoothing?: number } = {}): Promise<string> {
  const spec = vl.compile(lossCurvesSpec(title, runs, o) as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
