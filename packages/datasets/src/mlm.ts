import { seededRandom } from './dataset';

export interface MlmOptions {
  /** fraction of (non-special) tokens chosen for prediction (BERT: 0.15) */
  mlmProbability?: number;
  maskTokenId: number;
  vocabSize: number;
  /** ids never chosen ([CLS], [SEP], [PAD], …) */
  specialIds: number[];
  /** choose whole words: a `##` continuation piece follows the piece before it */
  wholeWord?: boolean;
  /** token strings by id, needed for whole-word masking */
  idToToken?: (id: number) => string | undefined;
  seed: number;
}

/**
 * BERT's masked-LM corruption (transformers' `DataCollatorForLanguageModeling`): choose ~15 % of the
 * non-special tokens; of those, 80 % become [MASK], 10 % a random token, 10 % stay. Labels are the
 * original ids at chosen positions and −100 elsewhere. Seeded, so a run replays exactly.
 */
export function maskTokens(inputIds: number[][], o: MlmOptions): { inputIds: number[][]; labels: number[][] } {
  const rand = seededRandom(o.seed);
  const p = o.mlmProbability ?? 0.15;
  const special = new Set(o.specialIds);
  const outIds: number[][] = [];
  const labels: number[][] = [];
  for (const row of inputIds) {
    const chosen = new Array<boolean>(row.length).fill(false);
    if (o.wholeWord) {
      if (!o.idToToken) throw new RangeError('maskTokens: wholeWord needs idToToken');
      let i = 0;
      while (i < row.length) {
        if (special.has(row[i]!)) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < row.length && !special.has(row[j]!) && (o.idToToken(row[j]!) ?? '').startsWith('##')) j++;
        const pick = rand() < p;
        for (let k = i; k < j; k++) chosen[k] = pick;
        i = j;
      }
    } else {
      for (let i = 0; i < row.length; i++) chosen[i] = !special.has(row[i]!) && rand() < p;
    }
    const ids = [...row];
    const lab = row.map((id, i) => (chosen[i] ? id : -100));
    for (let i = 0; i < row.length; i++) {
      if (!chosen[i]) continue;
      const r = rand();
      if (r < 0.8) ids[i] = o.maskTokenId;
      else if (r < 0.9) ids[i] = Math.floor(rand() * o.vocabSize);
    }
    outIds.push(ids);
    labels.push(lab);
  }
  return { inputIds: outIds, labels };
}
