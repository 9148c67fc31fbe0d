import { describe, it, expect } from 'vitest';
import { emaSmooth, emaWeightFor, lossCurvesSpec, lossCurvesSvg } from './plot';

describe('loss curves', () => {
  it('EMA with debiasing starts at the first value; the weight follows the run length', () => {
    expect(emaSmooth([4, 4, 4], 0.9)).toEqual([4, 4, 4].map(() => expect.closeTo(4, 12)));
    const s = emaSmooth([1, 0], 0.5); // step 2: (0.5 · 0.5 · 1 + 0.5 · 0) / (1 − 0.5²)
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(0.25 / 0.75, 12);
    expect(emaSmooth([3, 1], 0)).toEqual([3, 1]);
    expect(emaWeightFor(10)).toBe(0);
    expect(emaWeightFor(300)).toBeCloseTo(1 - 1 / 15, 12);
    expect(emaWeightFor(100_000)).toBe(0.99);
  });

  it('draws the smoothed loss of each method over its faint raw loss', async () => {
    const runs = [
      { method: 'lora', losses: [1, 0.2, 0.9, 0.1] },
      { method: 'ln-tuning', losses: [0.8, 0.7] },
    ];
    const spec = lossCurvesSpec('toy', runs, { smoothing: 0.5 }) as {
      data: { values: { step: number; loss: number; smoothed: number; method: string }[] };
      layer: { mark: { opacity?: number }; encoding: { y: { field: string } } }[];
      title: { subtitle: string };
    };
    const lora = spec.data.values.filter((v) => v.method === 'lora');
    expect(lora.map((v) => v.loss)).toEqual([1, 0.2, 0.9, 0.1]);
    expect(lora.map((v) => v.smoothed)).toEqual(emaSmooth([1, 0.2, 0.9, 0.1], 0.5));
    expect(spec.data.values.filter((v) => v.method === 'ln-tuning').map((v) => v.step)).toEqual([1, 2]);
    expect(spec.layer.map((l) => [l.encoding.y.field, l.mark.opacity])).toEqual([
      ['loss', 0.18],
      ['smoothed', undefined],
    ]);
    expect(spec.title.subtitle).toMatch(/EMA of the loss \(weight 0\.50\)/);
    const svg = await lossCurvesSvg('toy', runs);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('lines: EMA of the loss');
  });
});
