/**
 * pnpm bench — one training step (forward + backward + AdamW) of BertForSequenceClassification at
 * batch 8 × seq 128 for the BERT shapes of the PyTorch reference table, with full fine-tuning,
 * LayerNorm-only and LoRA (r 8, query/value): step time, tokens/s, peak tensor memory, the ratio to
 * PyTorch 1.13 (ENVIRONMENT.md) and, when a Python with torch + transformers + peft is found
 * (.venv-hf or TFJS_PEFT_PYTHON), to the same step run live in PyTorch (scripts/torch_step.py:
 * transformers' BERT, PEFT's LoRA) on this machine in the same run, with its peak memory.
 *   --backend wasm  --shapes tiny,mini,small,base  --modes full,LayerNorm-only,LoRA  --steps 3
 *   --batch 8  --seq 128  --torch auto|off  --threads 2 (PyTorch's)  --wasm-threads (ours; default: cores)
 *   --native auto|on|off|both  --frozen-precision float32|bf16|both (products with frozen weights,
 *   setFrozenMatMulPrecision; LayerNorm-only and LoRA rows, full fine-tuning has no frozen weights)
 *   --first-token-only off|on|both (the model's `firstTokenOnly`: the last layer computed for [CLS] only,
 *   the same logits and gradients; PyTorch always computes every token)
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { initBackend, formatBytes, countParameters, type BackendChoice } from '@tfjs-peft/core';
import { bf16MatMul } from '@tfjs-peft/core/kernels';
import { timeTrainingSteps } from './train-step';
import { SHAPES, MODES, referenceTrainable, type Mode } from './bert-shapes';
import { wasmHeapBytes } from './heap';
import { BENCH_CLI } from './cli';

// `pnpm bench:… -- --flag` hands the script a literal `--`
const { values: a } = BENCH_CLI.parseOrExit(process.argv.slice(2).filter((x) => x !== '--'));
if (!['off', 'on', 'both'].includes(a['first-token-only']!)) throw new Error(`--first-token-only: expected off, on or both, got ${a['first-token-only']}`);
if (!['float32', 'bf16', 'both'].includes(a['frozen-precision']!)) throw new Error(`--frozen-precision: expected float32, bf16 or both, got ${a['frozen-precision']}`);
if (!['auto', 'on', 'off', 'both'].includes(a.native!)) throw new Error(`--native: expected auto, on, off or both, got ${a.native}`);

/** A Python with torch + transformers + peft (TFJS_PEFT_PYTHON or the repository's .venv-hf), for the live PyTorch column. */
function findPython(): string | null {
  if (a.torch === 'off') return null;
  const candidates = [process.env.TFJS_PEFT_PYTHON, fileURLToPath(new URL('../../../.venv-hf/bin/python', import.meta.url))].filter((p): p is string => !!p && existsSync(p));
  for (const py of candidates) if (spawnSync(py, ['-c', 'import torch, transformers, peft'], { encoding: 'utf8' }).status === 0) return py;
  return null;
}
// PyTorch 1.13, same machine, 2 threads, ms per step (ENVIRONMENT.md)
const TORCH: Record<string, Record<Mode, number>> = {
  tiny: { full: 95, 'LayerNorm-only': 28, LoRA: 30 },
  mini: { full: 290, 'LayerNorm-only': 137, LoRA: 135 },
  small: { full: 938, 'LayerNorm-only': 361, LoRA: 370 },
  base: { full: 4150, 'LayerNorm-only': 2905, LoRA: 2492 },
};
const [B, T, STEPS] = [Number(a.batch), Number(a.seq), Number(a.steps)];

/** One configuration, measured in this process; prints a JSON line. */
async function measureOne(name: string, mode: Mode): Promise<void> {
  const info = await initBackend(a.backend as BackendChoice, {
    ...(a['wasm-threads'] ? { wasmThreads: Number(a['wasm-threads']) } : {}),
    ...(a.native === 'on' ? { native: true } : a.native === 'off' ? { native: false } : {}),
    frozenMatMulPrecision: a['frozen-precision'] === 'bf16' ? 'bf16' : 'float32',
  });
  // what the frozen weights' products ran in: bf16 only where it applies (a native product, a mode with frozen weights)
  const frozen = a['frozen-precision'] === 'bf16' && mode !== 'full' && bf16MatMul() != null ? `bf16 (${bf16MatMul()})` : 'float32';
  const heap0 = wasmHeapBytes();
  const trainable = referenceTrainable(name, mode);
  const ids = tf.randomUniform([B, T], 1000, 30000, 'int32', 1);
  const mask = tf.ones([B, T], 'int32');
  const labels = tf.randomUniform([B], 0, 2, 'int32', 2);
  const firstTokenOnly = a['first-token-only'] === 'on';
  const { ms, peak } = await timeTrainingSteps(
    () => trainable.forward({ inputIds: ids, attentionMask: mask, labels, firstTokenOnly }).loss as tf.Scalar,
    trainable.trainableParameters(),
    STEPS,
    1e-4,
  );
  const heap1 = wasmHeapBytes();
  const heap = heap0 != null && heap1 != null ? heap1 - heap0 : null;
  console.log(
    JSON.stringify({
      ms,
      peak,
      heap,
      trainablePercent: countParameters(trainable).trainablePercent,
      threads: info.threads,
      matmul: info.native ? `native ${info.native.split(',')[0]}` : info.name === 'wasm' ? 'XNNPACK' : info.name,
      frozen,
      lastLayer: firstTokenOnly ? 'first token' : 'all tokens',
    }),
  );
}

if (a.one) {
  const [name, mode] = a.one.split(':') as [string, Mode];
  await measureOne(name, mode);
} else {
  const modes = a.modes!.split(',') as Mode[];
  for (const m of modes) if (!MODES.includes(m)) throw new Error(`--modes: ${m} is not one of ${MODES.join(', ')}`);
  console.log(`tfjs-peft bench — backend ${a.backend}, batch ${B} × seq ${T}, median of ${STEPS} steps after a warm-up step; each configuration in its own process`);
  const py = findPython();
  const torchScript = fileURLToPath(new URL('../scripts/torch_step.py', import.meta.url));
  console.log(
    py
      ? `live PyTorch: ${py}, ${a.threads} threads, the same step with transformers (+ PEFT for LoRA), run after ours`
      : 'live PyTorch: not run (no .venv-hf or TFJS_PEFT_PYTHON with torch + transformers + peft; --torch off)',
  );
  console.log(
    "| shape | L/H/heads/FFN | mode | trainable | threads | matmul | frozen weights' products | last layer | step ms | tokens/s | peak tensor memory | wasm heap growth | PyTorch 1.13 ms (ENV) | ratio | PyTorch ms (live) | live ratio | PyTorch peak memory (live) |",
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const results: Record<string, Record<string, { ours: number; torch?: number }>> = {};
  const precisions = a['frozen-precision'] === 'both' ? ['float32', 'bf16'] : [a['frozen-precision']!];
  const script = fileURLToPath(import.meta.url);
  for (const name of a.shapes!.split(',')) {
    const [L, H, heads, ffn] = SHAPES[name]!;
    const firsts = a['first-token-only'] === 'both' ? ['off', 'on'] : [a['first-token-only']!];
    const configs = modes.flatMap((m) =>
      (a.native === 'both' ? (['on', 'off'] as const) : [a.native!]).flatMap((n) =>
        (m === 'full' ? [precisions[0]!] : precisions).flatMap((p) => firsts.map((f) => [m, n, p, f] as const)),
      ),
    );
    for (const [mode, native, precision, first] of configs) {
      const args = [
        ...process.execArgv,
        script,
        '--one',
        `${name}:${mode}`,
        '--backend',
        a.backend!,
        '--steps',
        String(STEPS),
        '--batch',
        String(B),
        '--seq',
        String(T),
        '--native',
        native,
        '--frozen-precision',
        precision,
        '--first-token-only',
        first,
      ];
      if (a['wasm-threads']) args.push('--wasm-threads', a['wasm-threads']);
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
      const ref = TORCH[name]![mode];
      if (r.status !== 0 || !line) {
        const why = /Aborted|out of memory|RangeError/i.test(r.stderr)
          ? 'out of memory (wasm heap is capped at 4 GiB)'
          : (r.stderr.trim().split('\n').pop() ?? 'failed').slice(0, 100);
        console.log(
          `| ${name} | ${L}/${H}/${heads}/${ffn} | ${mode} | – | – | – | ${precision} | ${first === 'on' ? 'first token' : 'all tokens'} | ${why} | | | | ${ref} | | | | |`,
        );
        continue;
      }
      const { ms, peak, heap, trainablePercent, threads, matmul, frozen, lastLayer } = JSON.parse(line) as {
        ms: number;
        peak: number;
        heap: number | null;
        trainablePercent: number;
        threads: number;
        matmul: string;
        frozen: string;
        lastLayer: string;
      };
      const row: { ours: number; torch?: number } = { ours: ms };
      const key = [name, a.native === 'both' ? matmul : null, firsts.length > 1 ? `last layer: ${lastLayer}` : null].filter(Boolean).join(', ');
      (results[key] ??= {})[frozen.startsWith('bf16') ? `${mode} (bf16)` : mode] = row;
      let live = '| – | – | – |';
      if (py) {
        const t = spawnSync(
          py,
          [torchScript, '--shape', `${L},${H},${heads},${ffn}`, '--mode', mode, '--batch', String(B), '--seq', String(T), '--steps', String(STEPS), '--threads', a.threads!],
          { encoding: 'utf8' },
        );
        const tl = t.stdout.split('\n').find((l) => l.startsWith('{'));
        if (tl) {
          const { ms: tms, peak_bytes: tpeak } = JSON.parse(tl) as { ms: number; peak_bytes: number };
          row.torch = tms;
          live = `| ${tms.toFixed(0)} | ${(ms / tms).toFixed(2)}× | ${formatBytes(tpeak)} |`;
        } else live = `| failed: ${(t.stderr.trim().split('\n').pop() ?? '').slice(0, 60)} | | |`;
      }
      console.log(
        `| ${name} | ${L}/${H}/${heads}/${ffn} | ${mode} | ${trainablePercent.toFixed(3)}% | ${threads} | ${matmul} | ${frozen} | ${lastLayer} | ${ms.toFixed(0)} | ${Math.round((B * T) / (ms / 1000))} | ${formatBytes(peak)} | ${heap == null ? '–' : formatBytes(heap)} | ${ref} | ${(ms / ref).toFixed(2)}× ${live}`,
      );
    }
  }
  console.log('\nSpeed-up of LayerNorm-only and LoRA over full fine-tuning, ours (live PyTorch):');
  for (const [name, r] of Object.entries(results)) {
    const parts = ['LayerNorm-only', 'LayerNorm-only (bf16)', 'LoRA', 'LoRA (bf16)']
      .filter((m) => r.full && r[m])
      .map((m) => `${m} ${(r.full!.ours / r[m]!.ours).toFixed(2)}×${r.full!.torch && r[m]!.torch ? ` (${(r.full!.torch / r[m]!.torch!).toFixed(2)}×)` : ''}`);
    if (parts.length) console.log(`  ${name}: ${parts.join(', ')}`);
  }
}
