import { CausalLmInputError } from './errors';
import { IGNORE_INDEX, type TokenizedExample } from './tokenized';

function isIdList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isInteger(x));
}

/** Checks tokenized examples (non-empty integer ids ≥ 0, labels of the same length) and returns their labels. */
export function checkTokenized(where: string, examples: readonly TokenizedExample[]): number[][] {
  if (!Array.isArray(examples)) throw new CausalLmInputError(where, null, 'examples', `expected a list of { inputIds, labels? }, got ${typeof examples}`);
  if (examples.length === 0) throw new CausalLmInputError(where, null, 'examples', 'expected at least one example, got an empty list');
  return examples.map((ex, i) => {
    if (ex === null || typeof ex !== 'object') throw new CausalLmInputError(where, i, '', `expected { inputIds, labels? }, got ${JSON.stringify(ex)}`);
    const ids: unknown = ex.inputIds;
    if (!isIdList(ids) || ids.some((x) => x < 0))
      throw new CausalLmInputError(where, i, 'inputIds', `expected a list of integer token ids ≥ 0, got ${JSON.stringify(ids)?.slice(0, 80)}`);
    if (ids.length === 0) throw new CausalLmInputError(where, i, 'inputIds', 'expected at least one token, got an empty list');
    if (ex.labels === undefined) return [...ids];
    const labels: unknown = ex.labels;
    if (!isIdList(labels) || labels.some((x) => x < 0 && x !== IGNORE_INDEX)) {
      throw new CausalLmInputError(where, i, 'labels', `expected integer token ids ≥ 0 or ${IGNORE_INDEX}, got ${JSON.stringify(labels)?.slice(0, 80)}`);
    }
    if (labels.length !== ids.length) throw new CausalLmInputError(where, i, 'labels', `expected ${ids.length} labels (one per input id), got ${labels.length}`);
    return labels;
  });
}
