/** How one GLUE task's `glue_data/<TASK>/` files are laid out (the GLUE distribution's documented formats). */
export interface GlueTaskSpec {
  /** folder name in glue_data */
  folder: string;
  /** first line is a header */
  header: { train: boolean; test: boolean };
  /** columns of text_a, text_b and label in train/dev rows (by header name, or index when headerless) */
  columns: { a: string | number; b?: string | number; label: string | number };
  /** columns in test rows (no label) */
  testColumns: { a: string | number; b?: string | number; id: string | number };
  /** label strings in id order; null for regression */
  labels: string[] | null;
  /** splits and their file names */
  splits: Record<string, string>;
}

const pairSplits = { train: 'train.tsv', dev: 'dev.tsv', test: 'test.tsv' };

export const GLUE: Record<string, GlueTaskSpec> = {
  CoLA: {
    folder: 'CoLA',
    header: { train: false, test: true },
    columns: { a: 3, label: 1 },
    testColumns: { a: 'sentence', id: 'index' },
    labels: ['0', '1'],
    splits: pairSplits,
  },
  'SST-2': {
    folder: 'SST-2',
    header: { train: true, test: true },
    columns: { a: 'sentence', label: 'label' },
    testColumns: { a: 'sentence', id: 'index' },
    labels: ['0', '1'],
    splits: pairSplits,
  },
  MRPC: {
    folder: 'MRPC',
    header: { train: true, test: true },
    columns: { a: '#1 String', b: '#2 String', label: 'Quality' },
    testColumns: { a: '#1 String', b: '#2 String', id: 'index' },
    labels: ['0', '1'],
    splits: pairSplits,
  },
  QQP: {
    folder: 'QQP',
    header: { train: true, test: true },
    columns: { a: 'question1', b: 'question2', label: 'is_duplicate' },
    testColumns: { a: 'question1', b: 'question2', id: 'id' },
    labels: ['0', '1'],
    splits: pairSplits,
  },
  'STS-B': {
    folder: 'STS-B',
    header: { train: true, test: true },
    columns: { a: 'sentence1', b: 'sentence2', label: 'score' },
    testColumns: { a: 'sentence1', b: 'sentence2', id: 'index' },
    labels: null,
    splits: pairSplits,
  },
  MNLI: {
    folder: 'MNLI',
    header: { train: true, test: true },
    columns: { a: 'sentence1', b: 'sentence2', label: 'gold_label' },
    testColumns: { a: 'sentence1', b: 'sentence2', id: 'index' },
    labels: ['contradiction', 'entailment', 'neutral'],
    splits: { train: 'train.tsv', dev_matched: 'dev_matched.tsv', dev_mismatched: 'dev_mismatched.tsv', test_matched: 'test_matched.tsv', test_mismatched: 'test_mismatched.tsv' },
  },
  QNLI: {
    folder: 'QNLI',
    header: { train: true, test: true },
    columns: { a: 'question', b: 'sentence', label: 'label' },
    testColumns: { a: 'question', b: 'sentence', id: 'index' },
    labels: ['entailment', 'not_entailment'],
    splits: pairSplits,
  },
  RTE: {
    folder: 'RTE',
    header: { train: true, test: true },
    columns: { a: 'sentence1', b: 'sentence2', label: 'label' },
    testColumns: { a: 'sentence1', b: 'sentence2', id: 'index' },
    labels: ['entailment', 'not_entailment'],
    splits: pairSplits,
  },
  WNLI: {
    folder: 'WNLI',
    header: { train: true, test: true },
    columns: { a: 'sentence1', b: 'sentence2', label: 'label' },
    testColumns: { a: 'sentence1', b: 'sentence2', id: 'index' },
    labels: ['0', '1'],
    splits: pairSplits,
  },
};

export const GLUE_TASK_NAMES = Object.keys(GLUE);
