import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderSvg, renderPng, layerNormHeatmapSpec, componentChangeSpec } from './plot';
import { importOptional } from './render';
import { FisherError } from './errors';

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

  it('vega, vega-lite and @resvg/resvg-js are optional peers; a missing one is a FisherError naming what to install', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const name of ['vega', 'vega-lite', '@resvg/resvg-js']) {
      expect(pkg.dependencies?.[name]).toBeUndefined();
      expect(pkg.peerDependencies?.[name]).toBeDefined();
      expect(pkg.peerDependenciesMeta?.[name]).toEqual({ optional: true });
      expect(pkg.devDependencies?.[name]).toBeDefined();
    }
    const missing = 'tfjs-peft-no-such-package';
    const err = await importOptional(missing, 'png', () => import(/* @vite-ignore */ missing)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FisherError);
    expect((err as FisherError).code).toBe('PLOT_DEPENDENCY_MISSING');
    expect((err as Error).message).toMatch(
      /rendering to PNG needs vega, vega-lite, @resvg\/resvg-js .*"tfjs-peft-no-such-package" could not be loaded .*npm install vega vega-lite @resvg\/resvg-js$/,
    );
    await expect(importOptional('vega', 'svg', () => Promise.reject(new Error("Cannot find package 'vega'")))).rejects.toThrow(
      /SVG needs vega, vega-lite .*npm install vega vega-lite$/,
    );
  });
});
