import { COMPONENTS, isLayerNormComponent, layerIndexOf, requireDescription, type Component, type ModelDescription, type Module } from '@tfjs-peft/core';

export { COMPONENTS, isLayerNormComponent, type Component };

/**
 * The rules the component analysis reads: a model's own description (`describe()` of a tfjs-peft
 * model class: each architecture maps its parameter names onto the LayerNorm paper's components in
 * its own folder of `@tfjs-peft/models`), or a description given directly.
 */
export type ComponentSource = Module | Pick<ModelDescription, 'componentOf' | 'layerOf'>;

/** The description behind a source; a ModelDescriptionError for a module that has none. */
export function componentRulesOf(source: ComponentSource): Pick<ModelDescription, 'componentOf' | 'layerOf'> {
  return 'componentOf' in source && typeof source.componentOf === 'function'
    ? source
    : requireDescription(source as Module, 'component analysis', 'the component of a parameter comes from the model class (pass the model, or its describe())');
}

/** The component a parameter of `source` belongs to (`'other'` when none matches). */
export function componentOf(name: string, source: ComponentSource): Component {
  return componentRulesOf(source).componentOf(name);
}

/** The transformer layer index in a parameter name (`…layer.3.…`, `…layers.3.…` → 3), or null outside the layer stack. */
export const layerOf = layerIndexOf;
