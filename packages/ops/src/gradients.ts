import * as tf from '@tensorflow/tfjs-core';
import { GradientError } from './errors';

/** The parts of a tfjs tape node this module reads (tfjs-core `TapeNode`). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The engine internals `ENGINE.gradients` uses; present in tfjs-core 4.x. */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string | (() => T), f?: () => T): T;
}

function engineInternals(): EngineInternals | null {
  const e = tf.engine() as unknown as Partial<EngineInternals>;
  const ok =
    typeof e.scopedRun === 'function' &&
    typeof e.startTape === 'function' &&
    typeof e.endTape === 'function' &&
    typeof e.tidy === 'function' &&
    e.state != null &&
    // (activeTape is not checked: tfjs creates the field on the first startTape)
    typeof e.state.gradientDepth === 'number';
  return ok ? (e as EngineInternals) : null;
}

let lowMemory = true;

/**
 * Turns the low-memory backward pass of {@link gradients}/{@link variableGrads} on (default) or
 * off (tfjs's own `ENGINE.gradients`, the reference). Returns the previous setting.
 */
export function setLowMemoryBackprop(enabled: boolean): boolean {
  const prev = lowMemory;
  lowMemory = enabled;
  return prev;
}

/** The nodes of `tape` on a path from one of `xs` to `y`, inputs pruned to those from `xs` (tfjs's rule). */
function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodesFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      const inputs = Object.values(node.inputs);
      for (const t of inputs) toY.add(t.id);
      if (inputs.length > 0) nodesToY.add(node.id);
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}

/**
 * Reverse-mode gradients of `y = f()` with respect to `xs`, like tfjs's `ENGINE.gradients`
 * (same tape, same gradient functions, same order of accumulation, so the same numbers), but
 * frees memory as the backward pass goes instead of at its end:
 *
 * - the gradient of an intermediate tensor is disposed as soon as the node that produced the
 *   tensor has used it (tfjs keeps every intermediate gradient until the whole pass ends);
 * - the tensors a node saved for its backward pass are released once that node's gradient has
 *   been computed, and those of nodes that are not on a path from `xs` to `y` (frozen weights'
 *   branches, embedding lookups of frozen tables) are released before the pass starts.
 *
 * The peak of a training step falls from "all activations + all of their gradients" to about
 * "all activations + the gradients alive at one point of the pass". Inside an outer gradient
 * computation (higher-order gradients) the tape must outlive this pass, so it defers to tfjs.
 */
export function gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients = false): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] } {
  const engine = engineInternals();
  if (!lowMemory || engine == null || engine.state.gradientDepth > 0) {
    const e = tf.engine() as unknown as { gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allow?: boolean): { value: tf.Tensor; grads: tf.Tensor[] } };
    return e.gradients(f, xs, dy, allowNoGradients);
  }
  if (xs.length === 0) throw new GradientError('gradients: xs is empty; expected at least one tensor to differentiate with respect to');
  if (dy != null && dy.dtype !== 'float32') throw new GradientError(`gradients: dy must be float32, got ${dy.dtype}`);
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new GradientError('gradients: f() must return a tensor');
  const tape = engine.state.activeTape ?? [];
  const filtered = nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && filtered.length === 0) {
    throw new GradientError('gradients: y = f() does not depend on any of xs; make sure f encloses every operation from xs to y');
  }
  const onPath = new Set(filtered.map((n) => n.id));
  const keepGrad = new Set(xs.map((x) => x.id));
  return engine.tidy('backward', () => {
    // saved tensors of nodes whose gradient will never run
    for (const node of tape) if (!onPath.has(node.id)) for (const t of node.saved ?? []) t.dispose();
    const acc = new Map<number, tf.Tensor>();
    acc.set(y.id, dy ?? tf.onesLike(y));
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i]!;
      if (node.gradient == null) throw new GradientError(`gradients: no gradient function is registered for kernel ${node.kernelName}`);
      const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
      const inputGradients = node.gradient(dys);
      const stored = new Set<tf.Tensor>();
      for (const [name, x] of Object.entries(node.inputs)) {
        const gradFn = inputGradients[name];
        if (gradFn == null)
          throw new GradientError(`gradients: kernel ${node.kernelName} gives no gradient for its input '${name}' (it has: ${Object.keys(inputGradients).join(', ')})`);
        const dx = engine.tidy(gradFn);
        if (dx.dtype !== 'float32') throw new GradientError(`gradients: the gradient of input '${name}' of ${node.kernelName} is ${dx.dtype}; expected float32`);
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new GradientError(`gradients: the gradient of input '${name}' of ${node.kernelName} has shape [${dx.shape}]; expected the input's shape [${x.shape}]`);
        }
        const prev = acc.get(x.id);
        if (prev == null) acc.set(x.id, dx);
        else {
          acc.set(x.id, tf.add(prev, dx));
          prev.dispose();
          // dx may be one of this node's dys or stored elsewhere only through acc; it is garbage now
          if (!dys.includes(dx)) dx.dispose();
        }
        stored.add(acc.get(x.id)!);
      }
      // this node was the last user of its outputs' gradients and of what it saved
      for (let j = 0; j < node.outputs.length; j++) {
        const o = node.outputs[j]!;
        const g = dys[j];
        if (g == null || keepGrad.has(o.id)) continue;
        acc.delete(o.id);
        if (!stored.has(g) && g !== dy) g.dispose();
      }
      // (a gradient function may hand back a saved tensor itself as a gradient)
      for (const t of node.saved ?? []) if (!stored.has(t)) t.dispose();
    }
    const grads = xs.map((x) => acc.get(x.id));
    const result = new Set(grads);
    for (const node of tape) for (const t of node.saved ?? []) if (!result.has(t)) t.dispose();
    engine.state.activeTape = null;
    return { value: y, grads: grads as tf.Tensor[] };
  }) as { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}

/**
 * Drop-in for `tf.variableGrads(f, varList)` on top of {@link gradients}: the gradients of the
 * scalar `f()` with respect to the trainable variables of `varList` (all registered trainable
 * variables when omitted), keyed by variable name; non-trainable variables of an explicit
 * list map to null, as in tfjs.
 */
export function variableGrads(f: () => tf.Scalar, varList?: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const explicit = varList != null;
  const all = varList ?? Object.values((tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> }).registeredVariables);
  const trainable = all.filter((v) => v.trainable);
  if (trainable.length === 0) throw new GradientError(`variableGrads: none of the ${all.length} variables is trainable; expected at least one`);
  const { value, grads } = gradients(f, trainable, undefined, true);
  if (!grads.some((g) => g != null)) {
    value.dispose();
    throw new GradientError('variableGrads: the loss does not depend on any trainable variable; make sure the operations that use them are inside f');
  }
  if (value.rank !== 0) {
    tf.dispose([value, ...(grads.filter(Boolean) as tf.Tensor[])]);
    throw new GradientError(`variableGrads: f must return a scalar, got a rank-${value.rank} tensor`);
  }
  const named: tf.NamedTensorMap = {};
  trainable.forEach((v, i) => {
    const g = grads[i];
    if (g != null) named[v.name] = g;
  });
  if (explicit) for (const v of all) if (!v.trainable) (named as Record<string, tf.Tensor | null>)[v.name] = null;
  return { value: value as tf.Scalar, grads: named };
}
