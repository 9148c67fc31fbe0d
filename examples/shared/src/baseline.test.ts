import { describe, it, expect } from 'vitest';
import { mainGlueMetric, majorityBaseline, pickBestLr } from './baseline';

describe('majority-class baseline', () => {
  it('predicts the most frequent train label, scored with the GLUE metric (MRPC: always-positive F1)', () => {
    const b = majorityBaseline('MRPC', [1, 1, 0, 1], [1, 0, 1, 1]);
    expect(b.prediction).toBe(1);
    expect(b.name).toBe('baseline: majority class');
    expect(b.metrics.accuracy).toBeCloseTo(0.75, 12);
    expect(b.metrics.f1).toBeCloseTo(6 / 7, 12); // 2·3 / (2·3 + 1)
  });
  it('CoLA: a constant prediction has Matthews correlation 0; ties go to the smaller label', () => {
    const b = majorityBaseline('CoLA', [0, 1, 1, 0], [1, 0, 1]);
    expect(b.prediction).toBe(0);
    expect(b.metrics.matthews_correlation).toBe(0);
  });
  it('regression (STS-B) predicts the train mean', () => {
    const b = majorityBaseline('STS-B', [1, 2, 3, 6], [0, 5, 2], { regression: true });
    expect(b.prediction).toBe(3);
    expect(b.name).toBe('baseline: train mean');
    expect(Object.keys(b.metrics)).toEqual(['pearson', 'spearmanr']);
  });
  it('the main metric per task and the best rate by it', () => {
    expect(['SST-2', 'RTE', 'MRPC', 'CoLA', 'STS-B', 'QQP', 'MNLI'].map(mainGlueMetric)).toEqual([
      'accuracy',
      'accuracy',
      'f1',
      'matthews_correlation',
      'pearson',
      'f1',
      'accuracy',
    ]);
    const trials = [
      { lr: 1e-4, metrics: { f1: 0.7, accuracy: 0.9 } },
      { lr: 3e-4, metrics: { f1: 0.8, accuracy: 0.6 } },
      { lr: 1e-3, metrics: { f1: 0.8, accuracy: 0.5 } },
      { lr: 3e-3, metrics: { f1: NaN, accuracy: 0.5 } },
    ];
    expect(pickBestLr(trials, 'f1')).toBe(3e-4); // ties: the first
    expect(pickBestLr(trials, 'accuracy')).toBe(1e-4);
  });
});
