/**
 * BERT-family components as the LayerNorm paper groups them, from HF state-dict names
 * (`bert.encoder.layer.3.attention.output.LayerNorm.weight`). Works for RoBERTa and ViT names too.
 */
export type Component =
  | 'embeddings'
  | 'embeddings.LayerNorm'
  | 'attention.query'
  | 'attention.key'
  | 'attention.value'
  | 'attention.output.dense'
  | 'attention.output.LayerNorm'
  | 'intermediate.dense'
  | 'output.dense'
  | 'output.LayerNorm'
  | 'pooler'
  | 'classifier'
  | 'other';

export const COMPONENTS: readonly Component[] = [
  'embeddings',
  'embeddings.LayerNorm',
  'attention.query',
  'attention.key',
  'attention.value',
  'attention.output.dense',
  'attention.output.LayerNorm',
  'intermediate.dense',
  'output.dense',
  'output.LayerNorm',
  'pooler',
  'classifier',
  'other',
];

const RULES: [RegExp, Component][] = [
  [/embeddings\.(LayerNorm|layernorm)\./, 'embeddings.LayerNorm'],
  [/embeddings\./, 'embeddings'],
  [/attention\.(self|attention)\.query\./, 'attention.query'],
  [/attention\.(self|attention)\.key\./, 'attention.key'],
  [/attention\.(self|attention)\.value\./, 'attention.value'],
  [/attention\.output\.dense\./, 'attention.output.dense'],
  [/attention\.output\.LayerNorm\.|layernorm_before\./, 'attention.output.LayerNorm'],
  [/intermediate\.dense\./, 'intermediate.dense'],
  [/(^|\.)output\.dense\./, 'output.dense'],
  [/(^|\.)output\.LayerNorm\.|layernorm_after\./, 'output.LayerNorm'],
  [/(^|\.)pooler\./, 'pooler'],
  [/(^|\.)(classifier|cls|score|qa_outputs)\./, 'classifier'],
];

/** The component a parameter belongs to (`'other'` when none matches). */
export function componentOf(name: string): Component {
  for (const [re, c] of RULES) if (re.test(name)) return c;
  return 'other';
}

/** The encoder layer index in a name (`…layer.3.…` → 3), or null outside the layer stack. */
export function layerOf(name: string): number | null {
  const m = name.match(/(?:^|\.)layers?\.(\d+)\./);
  return m ? Number(m[1]) : null;
}

/** Whether a component is a LayerNorm. */
export const isLayerNormComponent = (c: Component): boolean => c.endsWith('LayerNorm');
