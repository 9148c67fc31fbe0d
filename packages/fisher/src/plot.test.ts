import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderSvg, renderPng, layerNormHeatmapSpec, layerNormRowLabel, componentChangeSpec } from './plot';
import type { FisherResult } from './fisher-result';
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
    expect(svg).toContain('layer 0 · output.LayerNorm.weight (γ)');
    expect(svg).toContain('embeddings.LayerNorm.weight (γ)');
    expect(svg).toContain('log10 of the value (per element)');
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

  it('the Fisher heatmap labels its rows and colour scale in full, untruncated', async () => {
    expect(layerNormRowLabel('bert.encoder.layer.11.attention.output.LayerNorm.bias')).toBe('layer 11 · attention.output.LayerNorm.bias (β)');
    expect(layerNormRowLabel('model.layers.2.post_attention_layernorm.weight')).toBe('layer 2 · post_attention_layernorm.weight (γ)');
    expect(layerNormRowLabel('bert.embeddings.LayerNorm.weight')).toBe('embeddings.LayerNorm.weight (γ)');
    const fisher: FisherResult = {
      kind: 'empirical',
      examples: 8,
      values: new Map([
        ['bert.embeddings.LayerNorm.weight', Float64Array.from([1e-3, 2e-3])],
        ['bert.encoder.layer.11.attention.output.LayerNorm.bias', Float64Array.from([1e-5, 3e-4])],
      ]),
      shapes: new Map(),
    };
    const spec = layerNormHeatmapSpec(fisher, { log: true }) as {
      encoding: { y: { title: string; sort: string[]; axis: { labelLimit: number } }; color: { title: string; legend: { titleLimit: number } } };
    };
    expect(spec.encoding.y.sort).toEqual(['embeddings.LayerNorm.weight (γ)', 'layer 11 · attention.output.LayerNorm.bias (β)']);
    expect(spec.encoding.y.title).toBe('LayerNorm parameter (layer · module · γ scale / β shift)');
    expect(spec.encoding.color.title).toBe('log10 of the diagonal Fisher information (per element)');
    expect([spec.encoding.y.axis.labelLimit, spec.encoding.color.legend.titleLimit]).toEqual([0, 0]); // no truncation
    expect((layerNormHeatmapSpec(fisher) as typeof spec).encoding.color.title).toBe('diagonal Fisher information (per element)');
    const svg = await renderSvg(spec);
    for (const text of [...spec.encoding.y.sort, spec.encoding.y.title, spec.encoding.color.title]) expect(svg).toContain(text);
    expect(svg).not.toContain('…');
  });
});
