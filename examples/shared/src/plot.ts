import * as vega from 'vega';
import * as vl from 'vega-lite';

/** Loss curves of several runs as an SVG line chart (vega-lite rendered headless by vega). */
export async function lossCurvesSvg(title: string, runs: { method: string; losses: number[] }[]): Promise<string> {
  const values = runs.flatMap((r) => r.losses.map((loss, i) => ({ step: i + 1, loss, method: r.method })));
  const spec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 520,
    height: 300,
    data: { values },
    mark: { type: 'line', interpolate: 'monotone' },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
      y: { field: 'loss', type: 'quantitative', title: 'training loss' },
      color: { field: 'method', type: 'nominal' },
    },
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
