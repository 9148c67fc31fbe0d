/** One tokenized causal-LM example: token ids and their labels (−100 where no loss is taken). */
export interface TokenizedExample {
  inputIds: number[];
  /** same length as `inputIds`; absent means "every token is a label" (plain language modelling) */
  labels?: number[];
}

/** transformers' ignore index: a label the causal-LM loss skips. */
export const IGNORE_INDEX = -100;
