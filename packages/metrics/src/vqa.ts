/**
 * An answer as compared: lower case, the spaces a BERT decode puts around hyphens and slashes
 * removed ("t2 - weighted" → "t2-weighted"), surrounding punctuation and whitespace stripped, inner
 * whitespace collapsed.
 */
export function normalizeAnswer(answer: string | number): string {
  return String(answer)
    .toLowerCase()
    .replace(/\s*([-/])\s*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[\s.,;:!?"']+|[\s.,;:!?"']+$/g, '');
}

const YES_NO = new Set(['yes', 'no']);

/** Whether an item is closed in MILE's sense: its ground-truth answer is yes or no. */
export const isClosedAnswer = (groundTruth: string | number): boolean => YES_NO.has(normalizeAnswer(groundTruth));

export interface VqaScores {
  /** mean score over open items (%) */
  open: number;
  /** accuracy over closed (yes/no) items (%) */
  closed: number;
  /** (Σ open scores + closed correct) / all items (%) */
  global: number;
  nOpen: number;
  nClosed: number;
  /** per item: 0..1 */
  perItem: number[];
}

/**
 * VQA accuracy as the MILE tables report it. Closed items (ground truth yes/no) are right only
 * when the normalised prediction is exactly the same yes/no ("yes, it is" is wrong). Open items
 * score by normalised exact match (`open: 'exact'`, default) or by token recall — the share of the
 * ground truth's tokens found in the prediction (`open: 'recall'`, as in LLaVA-Med; MILE's own
 * open metric is unpublished). Predictions and ground truths are paired by position.
 */
export function vqaAccuracy(predictions: (string | number)[], groundTruths: (string | number)[], o: { open?: 'exact' | 'recall' } = {}): VqaScores {
  if (predictions.length !== groundTruths.length) throw new RangeError(`vqaAccuracy: ${predictions.length} predictions but ${groundTruths.length} ground-truth answers`);
  if (!predictions.length) throw new RangeError('vqaAccuracy: no items');
  let openSum = 0;
  let nOpen = 0;
  let closedRight = 0;
  let nClosed = 0;
  const perItem = predictions.map((p, i) => {
    const gt = normalizeAnswer(groundTruths[i]!);
    const pred = normalizeAnswer(p);
    if (YES_NO.has(gt)) {
      nClosed++;
      const s = pred === gt ? 1 : 0;
      closedRight += s;
      return s;
    }
    nOpen++;
    let s: number;
    if ((o.open ?? 'exact') === 'exact') s = pred === gt ? 1 : 0;
    else {
      const gtTokens = gt.split(/[\s,]+/).filter(Boolean);
      const predTokens = new Set(pred.split(/[\s,]+/).filter(Boolean));
      s = gtTokens.length ? gtTokens.filter((t) => predTokens.has(t)).length / gtTokens.length : 0;
    }
    openSum += s;
    return s;
  });
  const pct = (a: number, b: number) => (b ? (100 * a) / b : 0);
  return { open: pct(openSum, nOpen), closed: pct(closedRight, nClosed), global: pct(openSum + closedRight, nOpen + nClosed), nOpen, nClosed, perItem };
}
