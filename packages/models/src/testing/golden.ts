import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { expect } from 'vitest';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, rawToTypedArray, variableGrads, type Module } from '@tfjs-peft/core';
import { assertClose } from '@tfjs-peft/ops/testing';

/** `../shared` beside the repository (CI has it), or `TFJS_PEFT_SHARED_DIR`. */
export const SHARED_DIR = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared');
export const GOLDEN_DIR = resolve(SHARED_DIR, 'fixtures/golden');
export const hasGolden = existsSync(GOLDEN_DIR);
export const GOLDEN_MISSING = `../shared/fixtures/golden not found beside the repository (${GOLDEN_DIR}); golden parity tests skipped`;

export interface GoldenCase {
  dir: string;
  inputs: Map<string, tf.Tensor>;
  outputs: Map<string, Float32Array | Int32Array | Uint8Array>;
  shapes: Map<string, number[]>;
}

/** Reads a golden case: inputs as tensors (I64 → int32), outputs and gradients as arrays. */
export async function readGolden(name: string): Promise<GoldenCase> {
  const dir = join(GOLDEN_DIR, name);
  const inFile = await readSafetensors(join(dir, 'inputs.safetensors'));
  const outFile = await readSafetensors(join(dir, 'outputs.safetensors'));
  const inputs = new Map<string, tf.Tensor>();
  for (const [k, raw] of inFile.tensors) {
    const v = rawToTypedArray(raw, k);
    inputs.set(k, tf.tensor(v, raw.shape, v instanceof Float32Array ? 'float32' : 'int32'));
  }
  const outputs = new Map<string, Float32Array | Int32Array | Uint8Array>();
  const shapes = new Map<string, number[]>();
  for (const [k, raw] of outFile.tensors) {
    outputs.set(k, rawToTypedArray(raw, k));
    shapes.set(k, raw.shape);
  }
  return { dir, inputs, outputs, shapes };
}

/** Forward outputs: `max |ours − ref| ≤ 1e-5 + 1e-5·|ref|` (the fixtures' README). */
export async function expectOutput(actual: tf.Tensor, c: GoldenCase, name: string, scale = 1): Promise<number> {
  const ref = c.outputs.get(name);
  if (!ref) throw new Error(`golden output ${name} missing`);
  expectShape(actual, c.shapes.get(name)!, name);
  return assertClose(await actual.data(), ref, `${c.dir}: ${name}`, { atol: 1e-5 * scale, rtol: 1e-5 * scale });
}

/** `actual` `[B, 1, H]` against position 0 of the golden `[B, T, H]` output `name` (`firstTokenOnly`). */
export async function expectFirstPosition(actual: tf.Tensor, c: GoldenCase, name: string, scale = 1): Promise<number> {
  const ref = c.outputs.get(name);
  if (!ref) throw new Error(`golden output ${name} missing`);
  const [b, t, h] = c.shapes.get(name)!;
  expectShape(actual, [b!, 1, h!], `${name}[:, :1]`);
  const first = Float32Array.from({ length: b! * h! }, (_, i) => ref[Math.floor(i / h!) * t! * h! + (i % h!)]!);
  return assertClose(await actual.data(), first, `${c.dir}: ${name}[:, :1]`, { atol: 1e-5 * scale, rtol: 1e-5 * scale });
}

function expectShape(t: tf.Tensor, shape: number[], name: string): void {
  if (t.shape.join(',') !== shape.join(',')) throw new Error(`${name}: shape [${t.shape}] differs from golden [${shape}]`);
}

/**
 * Gradient of the loss for every trainable parameter: `max |ours − ref| ≤ tol·max|ref| + 1e-6`
 * (tol 1e-4 on cpu/wasm, 1e-3 on webgpu, per the fixtures' README). `alias` maps our
 * parameter name to the golden gradient name when they differ (tied weights).
 */
export async function expectGrads(
  model: Module,
  lossFn: () => tf.Scalar,
  c: GoldenCase,
  opts: { tol?: number; prefix?: string; alias?: Record<string, string> } = {},
): Promise<{ checked: number; worst: number }> {
  const params = model.namedParameters().filter(([, p]) => p.requiresGrad);
  // the low-memory backward pass the Trainer uses, checked against transformers' gradients
  const { value, grads } = variableGrads(
    lossFn,
    params.map(([, p]) => p.variable),
  );
  value.dispose();
  let worst = 0;
  let checked = 0;
  for (const [name, p] of params) {
    const key = `${opts.prefix ?? ''}${opts.alias?.[name] ?? `grad.${name}`}`;
    const ref = c.outputs.get(key);
    if (!ref) throw new Error(`${c.dir}: no golden gradient ${key} for parameter ${name}`);
    const g = grads[p.variable.name]!;
    expectShape(g, c.shapes.get(key)!, key);
    let maxRef = 0;
    for (let i = 0; i < ref.length; i++) maxRef = Math.max(maxRef, Math.abs(ref[i]!));
    const atol = (opts.tol ?? 1e-4) * maxRef + 1e-6;
    const err = assertClose(await g.data(), ref, `${c.dir}: ${key}`, { atol, rtol: 0 });
    worst = Math.max(worst, err / Math.max(maxRef, 1e-12));
    checked++;
  }
  tf.dispose(Object.values(grads));
  return { checked, worst };
}

/** A model `savePretrained` writes and `load` reads back (any Hugging Face model here). */
interface RoundTripModel<I> extends Module {
  savePretrained(dir: string): Promise<unknown>;
  forward(inputs: I): object;
}

/**
 * savePretrained → `load` on a temporary folder: the same parameter names and values, and the
 * same `output` (default `logits`) on `inputs`. `check` sees the written folder first (its
 * config.json, say). Disposes both models and removes the folder.
 */
export async function expectSaveLoadRoundTrip<I, M extends RoundTripModel<I>>(
  a: M,
  load: (dir: string) => Promise<M>,
  inputs: I,
  check?: (dir: string) => Promise<void>,
  output = 'logits',
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-roundtrip-'));
  try {
    await a.savePretrained(dir);
    await check?.(dir);
    const b = await load(dir);
    const pb = new Map(b.namedParameters());
    expect([...pb.keys()].sort()).toEqual(
      a
        .namedParameters()
        .map(([n]) => n)
        .sort(),
    );
    for (const [n, p] of a.namedParameters()) expect(Array.from(await pb.get(n)!.value.data()), n).toEqual(Array.from(await p.value.data()));
    const [la, lb] = [a.forward(inputs) as Record<string, tf.Tensor>, b.forward(inputs) as Record<string, tf.Tensor>];
    expect(Array.from(await lb[output]!.data()), output).toEqual(Array.from(await la[output]!.data()));
    tf.dispose([...Object.values(la), ...Object.values(lb)] as tf.Tensor[]);
    b.dispose();
  } finally {
    a.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
