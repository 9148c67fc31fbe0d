/**
 * transformers 5's checkpoint conversion for `llava` (`conversion_mapping.py`), applied in order:
 * `language_model.lm_head` → `lm_head`, `language_model` → `model.language_model`,
 * `vision_tower` → `model.vision_tower`, `multi_modal_projector` → `model.multi_modal_projector`.
 * The language model of older checkpoints is a `LlamaForCausalLM` (`language_model.model.*`), and
 * their CLIP tower a transformers 4 `CLIPVisionModel` (`vision_tower.vision_model.*`); those inner
 * prefixes are dropped as transformers' loading does, so every layout maps onto the module names
 * (`model.language_model.*`, `model.vision_tower.*`, `model.multi_modal_projector.*`, `lm_head.*`).
 */
const RENAMES: [RegExp, string][] = [
  [/^language_model\.lm_head\./, 'lm_head.'],
  [/^language_model\.(model\.)?/, 'model.language_model.'],
  [/^vision_tower\.(vision_model\.)?/, 'model.vision_tower.'],
  [/^multi_modal_projector\./, 'model.multi_modal_projector.'],
  [/^model\.vision_tower\.vision_model\./, 'model.vision_tower.'],
];

/** A LLaVA checkpoint key in transformers 5's layout (keys already in it are returned as they are). */
export function llavaCheckpointKey(key: string): string {
  for (const [from, to] of RENAMES) if (from.test(key)) return key.replace(from, to);
  return key;
}

/** The checkpoint's weights under transformers 5's key layout. */
export function withLlavaKeys<T>(weights: Map<string, T>): Map<string, T> {
  return new Map([...weights].map(([k, v]) => [llavaCheckpointKey(k), v]));
}
