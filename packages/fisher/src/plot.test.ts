import { describe, it, expect } from 'vitest';
import { renderSvg, renderPng, layerNormHeatmapSpec, componentChangeSpec } from './plot';

describe('plots', () => {
  it('renders a LayerNorm heatmap and a component bar chart to SVG and PNG', async () => {
    const values = new Map([
      ['bert.embeddings.LayerNorm.weight', [1, 2, 3, 4]],
      ['bert.encoder.layer.0.output.LayerNorm.weight', [4, 3, 2, 1]],
    ]);
    const svg = await renderSvg(layerNormHeatmapSpec(values, { title: 'Fisher', log: true }));
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('L00 output.LayerNorm γ');
    expect(svg).toContain('emb embeddings.LayerNorm γ');
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThanOrEqual(8); // one rect per cell at least
    const png = await renderPng(componentChangeSpec([{ key: 'output.LayerNorm', tensors: 1, numel: 2, l2: 1, relative: 0.5, meanAbs: 0.1 }]));
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(1000);
  });
});
