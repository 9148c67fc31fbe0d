import { describe, it, expect } from 'vitest';
import { accuracy, f1, matthewsCorrcoef, pearson, spearman, rank, glueMetrics, glueScore, glueTaskName } from './index';

// Expected values were computed independently with scikit-learn 1.x (accuracy_score, f1_score,
// matthews_corrcoef) and SciPy (pearsonr, spearmanr) on these arrays.
const p = [1, 0, 1, 1, 0, 2, 2, 1, 0, 1, 1, 0];
const r = [1, 0, 0, 1, 0, 2, 1, 1, 1, 1, 0, 0];
const bp = [1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0];
const br = [1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0];
const x = [0.5, 2.1, 3.3, 3.3, 4.0, 1.2, 5.5, 2.1];
const y = [1.0, 2.0, 2.9, 3.5, 3.9, 1.1, 5.0, 2.5];

describe('metrics match scikit-learn / SciPy', () => {
  it('accuracy, binary and macro F1, Matthews (binary and multiclass)', () => {
    expect(accuracy(p, r)).toBeCloseTo(0.6666666666666666, 12);
    expect(f1(bp, br)).toBeCloseTo(0.6153846153846154, 12);
    expect(f1(p, r, { average: 'macro' })).toBeCloseTo(0.6666666666666666, 12);
    expect(matthewsCorrcoef(p, r)).toBeCloseTo(0.44733752888061057, 12);
    expect(matthewsCorrcoef(bp, br)).toBeCloseTo(0.1690308509457033, 12);
  });

  it('Pearson and Spearman (with ties: average ranks)', () => {
    expect(pearson(x, y)).toBeCloseTo(0.9825864544207481, 12);
    expect(spearman(x, y)).toBeCloseTo(0.9880235200593538, 12);
    expect(rank([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });

  it('degenerate cases as sklearn: constant predictions give MCC 0 and F1 0; constant input gives NaN correlation', () => {
    expect(matthewsCorrcoef([1, 1, 1], [0, 1, 0])).toBe(0);
    expect(f1([0, 0, 0], [1, 0, 1])).toBe(0);
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true);
  });

  it('GLUE metric per task, as evaluate/glue', () => {
    expect(glueMetrics('CoLA', bp, br)).toEqual({ matthews_correlation: matthewsCorrcoef(bp, br) });
    expect(glueMetrics('MRPC', bp, br)).toEqual({ accuracy: accuracy(bp, br), f1: f1(bp, br) });
    expect(glueMetrics('STS-B', x, y)).toEqual({ pearson: pearson(x, y), spearmanr: spearman(x, y) });
    expect(glueMetrics('SST-2', bp, br)).toEqual({ accuracy: accuracy(bp, br) });
    expect(glueTaskName('MNLI-mm')).toBe('mnli_mismatched');
    expect(glueScore('MRPC', bp, br)).toBeCloseTo((accuracy(bp, br) + f1(bp, br)) / 2, 12);
  });

  it('bad input names the metric', () => {
    expect(() => accuracy([1, 0], [1])).toThrow(/accuracy: predictions \(2\) and references \(1\) differ in length/);
    expect(() => f1([], [])).toThrow(/f1: no examples/);
    expect(() => pearson([1, NaN], [1, 2])).toThrow(/pearson: non-finite value at index 1/);
    expect(() => glueMetrics('SQuAD', [1], [1])).toThrow(/unknown GLUE task "SQuAD"/);
  });
});
