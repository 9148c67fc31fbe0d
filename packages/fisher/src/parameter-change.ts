import { COMPONENTS, componentRulesOf, type Component, type ComponentSource } from './components';
import type { FlatWeights } from './weights';
import { FisherError } from './errors';

export interface TensorChange {
  name: string;
  component: Component;
  /** encoder layer index, or null outside the layer stack */
  layer: number | null;
  numel: number;
  /** ‖θ_tuned − θ_base‖₂ */
  l2: number;
  /** ‖Δ‖₂ / ‖θ_base‖₂ (Infinity when the base is all zeros and something changed) */
  relative: number;
  /** mean |Δ| */
  meanAbs: number;
}

export interface ParameterChangeReport {
  tensors: TensorChange[];
  /** names present in only one of the two (a new head, a dropped pooler) */
  onlyInBase: string[];
  onlyInTuned: string[];
}

/**
 * How much every parameter tensor moved between a base and a fine-tuned checkpoint. Tensors are
 * matched by name; a shape mismatch under one name is an error naming it. `model` (the fine-tuned
 * model, or any model of the architecture, or its `describe()`) says which component and layer each
 * name belongs to.
 */
export function parameterChange(base: FlatWeights, tuned: FlatWeights, model: ComponentSource): ParameterChangeReport {
  const rules = componentRulesOf(model);
  const tensors: TensorChange[] = [];
  for (const [name, b] of base) {
    const t = tuned.get(name);
    if (!t) continue;
    if (b.values.length !== t.values.length || b.shape.join() !== t.shape.join()) {
      throw new FisherError('SHAPE_MISMATCH', `parameterChange: ${name} is [${b.shape}] in the base and [${t.shape}] in the tuned checkpoint`);
    }
    let d2 = 0;
    let b2 = 0;
    let abs = 0;
    for (let i = 0; i < b.values.length; i++) {
      const d = t.values[i]! - b.values[i]!;
      d2 += d * d;
      b2 += b.values[i]! * b.values[i]!;
      abs += Math.abs(d);
    }
    const l2 = Math.sqrt(d2);
    tensors.push({
      name,
      component: rules.componentOf(name),
      layer: rules.layerOf(name),
      numel: b.values.length,
      l2,
      relative: b2 > 0 ? l2 / Math.sqrt(b2) : l2 > 0 ? Infinity : 0,
      meanAbs: b.values.length ? abs / b.values.length : 0,
    });
  }
  return {
    tensors,
    onlyInBase: [...base.keys()].filter((k) => !tuned.has(k)),
    onlyInTuned: [...tuned.keys()].filter((k) => !base.has(k)),
  };
}

export interface GroupChange {
  key: string;
  tensors: number;
  numel: number;
  /** ‖Δ‖₂ over the whole group */
  l2: number;
  /** ‖Δ‖₂ / ‖θ_base‖₂ over the whole group */
  relative: number;
  /** mean |Δ| per element */
  meanAbs: number;
}

function group(rows: TensorChange[], keyOf: (r: TensorChange) => string | null): GroupChange[] {
  const acc = new Map<string, { tensors: number; numel: number; d2: number; b2: number; abs: number }>();
  for (const r of rows) {
    const k = keyOf(r);
    if (k == null) continue;
    const a = acc.get(k) ?? { tensors: 0, numel: 0, d2: 0, b2: 0, abs: 0 };
    a.tensors++;
    a.numel += r.numel;
    a.d2 += r.l2 * r.l2;
    a.b2 += r.relative > 0 && Number.isFinite(r.relative) ? (r.l2 / r.relative) ** 2 : 0;
    a.abs += r.meanAbs * r.numel;
    acc.set(k, a);
  }
  return [...acc].map(([key, a]) => ({
    key,
    tensors: a.tensors,
    numel: a.numel,
    l2: Math.sqrt(a.d2),
    relative: a.b2 > 0 ? Math.sqrt(a.d2 / a.b2) : a.d2 > 0 ? Infinity : 0,
    meanAbs: a.numel ? a.abs / a.numel : 0,
  }));
}

export type ChangeMeasure = 'relative' | 'meanAbs' | 'l2';

/**
 * Change per component (embeddings, query, key, value, attention output dense, attention-output
 * LayerNorm, intermediate dense, output dense, output LayerNorm, pooler, classifier), ranked by
 * `by` (default: relative change, ‖Δ‖/‖θ‖ — the size-independent measure; the paper's exact
 * metric is unpublished, so all three are reported).
 */
export function changeByComponent(report: ParameterChangeReport, by: ChangeMeasure = 'relative'): GroupChange[] {
  return group(report.tensors, (r) => r.component).sort((a, b) => b[by] - a[by] || COMPONENTS.indexOf(a.key as Component) - COMPONENTS.indexOf(b.key as Component));
}

/** Change per (layer, component) for the encoder stack, in layer then component order. */
export function changeByLayer(report: ParameterChangeReport): (GroupChange & { layer: number; component: Component })[] {
  return group(report.tensors, (r) => (r.layer == null ? null : `${r.layer}|${r.component}`))
    .map((g) => {
      const [l, c] = g.key.split('|') as [string, Component];
      return { ...g, layer: Number(l), component: c };
    })
    .sort((a, b) => a.layer - b.layer || COMPONENTS.indexOf(a.component) - COMPONENTS.indexOf(b.component));
}
