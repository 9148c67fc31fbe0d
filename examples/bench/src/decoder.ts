/**
 * pnpm bench:decoder — one LoRA training step of a randomly initialised LlamaForCausalLM at the
 * SmolLM2-135M / -360M and TinyLlama-1.1B shapes (src/decoder-shapes.ts): PEFT's defaults for Llama
 * (q_proj, v_proj), r 8, α 16, dropout 0; batch × seq random tokens with labels = inputs (the
 * causal-LM loss shifts them); AdamW over the LoRA parameters; median of --steps steps after a
 * warm-up step, each shape in its own process. When a Python with torch + transformers + peft is
 * found (.venv-hf or TFJS_PEFT_PYTHON), the same step runs live right after ours
 * (scripts/torch_decoder_step.py) from the same config.json — the same shapes, not the same random
 * weights (each side initialises its own; the work of a step does not depend on them).
 *   --backend wasm  --shapes smollm2-135m  --batch 4  --seq 256  --steps 3  --torch auto|off
 *   --threads 2 (PyTorch's)  --wasm-threads (ours; default: cores)  --native auto|on|off  --row-timeout 15 (min)
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, formatBytes, countParameters, type BackendChoice } from '@tfjs-peft/core';
import { timeTrainingSteps } from './train-step';
import { decoderConfig, decoderLora, decoderShape, decoderShapeLabel } from './decoder-shapes';
import { wasmHeapBytes } from './heap';
import { DECODER_CLI } from './cli';

// `pnpm bench:… -- --flag` hands the script a literal `--`
const { values: a } = DECODER_CLI.parseOrExit(process.argv.slice(2).filter((x) => x !== '--'));
if (!['auto', 'on', 'off'].includes(a.native!)) throw new Error(`--native: expected auto, on or off, got ${a.native}`);
if (!['auto', 'off'].includes(a.torch!)) throw new Error(`--torch: expected auto or off, got ${a.torch}`);
const [B, T, STEPS] = [Number(a.batch), Number(a.seq), Number(a.steps)];
for (const [k, v] of Object.entries({ batch: B, seq: T, steps: STEPS }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k}: expected a positive integer, got ${a[k as 'batch']}`);

/** The JSON line of one row (ours). */
export interface DecoderRow {
  ms: number;
  loss: number;
  peak: number;
  heap: number | null;
  rss: number;
  trainable: number;
  trainablePercent: number;
  threads: number;
  matmul: string;
}

/** One shape, measured in this process from the row's config.json; prints a JSON line. */
async function measureOne(dir: string): Promise<void> {
  const info = await initBackend(a.backend as BackendChoice, {
    ...(a['wasm-threads'] ? { wasmThreads: Number(a['wasm-threads']) } : {}),
    ...(a.native === 'on' ? { native: true } : a.native === 'off' ? { native: false } : {}),
  });
  const rss0 = process.memoryUsage().rss;
  const heap0 = wasmHeapBytes();
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const peft = decoderLora(config);
  const ids = tf.randomUniform([B, T], 0, config.vocab_size as number, 'int32', 1);
  const { ms, peak, loss } = await timeTrainingSteps(() => peft.forward({ inputIds: ids, labels: ids }).loss as tf.Scalar, peft.trainableParameters(), STEPS, 1e-4);
  const heap1 = wasmHeapBytes();
  const c = countParameters(peft);
  const row: DecoderRow = {
    ms,
    loss,
    peak,
    heap: heap0 != null && heap1 != null ? heap1 - heap0 : null,
    rss: process.resourceUsage().maxRSS * 1024 - rss0,
    trainable: c.trainable,
    trainablePercent: c.trainablePercent,
    threads: info.threads,
    matmul: info.native ? `native ${info.native.split(',')[0]}` : info.name === 'wasm' ? 'XNNPACK' : info.name,
  };
  console.log(JSON.stringify(row));
}

/** A Python with torch + transformers + peft (TFJS_PEFT_PYTHON or the repository's .venv-hf), for the live PyTorch columns. */
function findPython(): string | null {
  if (a.torch === 'off') return null;
  const candidates = [process.env.TFJS_PEFT_PYTHON, fileURLToPath(new URL('../../../.venv-hf/bin/python', import.meta.url))].filter((p): p is string => !!p && existsSync(p));
  for (const py of candidates) if (spawnSync(py, ['-c', 'import torch, transformers, peft'], { encoding: 'utf8' }).status === 0) return py;
  return null;
}

/** The last line of a failed child's stderr, or what ran out. */
function failure(stderr: string): string {
  if (/Aborted|out of memory|RangeError: (Array buffer|WebAssembly)|Cannot enlarge memory/i.test(stderr)) return 'out of memory (wasm heap is capped at 4 GiB)';
  if (/Killed|MemoryError|DefaultCPUAllocator/i.test(stderr)) return 'out of memory';
  return (stderr.trim().split('\n').pop() ?? 'failed').slice(0, 100);
}

if (a.one) {
  if (!a['config-dir']) throw new Error('--one needs --config-dir (the folder of the config.json to build)');
  await measureOne(a['config-dir']);
} else {
  const shapes = a.shapes!.split(',');
  for (const s of shapes) decoderShape(s);
  console.log(
    `tfjs-peft bench:decoder — LlamaForCausalLM, random weights, LoRA r 8 α 16 on q_proj/v_proj, AdamW; backend ${a.backend}, batch ${B} × seq ${T}, median of ${STEPS} steps after a warm-up step; each shape in its own process`,
  );
  const py = findPython();
  const torchScript = fileURLToPath(new URL('../scripts/torch_decoder_step.py', import.meta.url));
  console.log(
    py
      ? `live PyTorch: ${a.threads} threads, transformers' LlamaForCausalLM + PEFT from the same config.json, run after ours`
      : 'live PyTorch: not run (no .venv-hf or TFJS_PEFT_PYTHON with torch + transformers + peft; --torch off)',
  );
  console.log(
    '| shape | L/hidden/heads/kv/FFN/vocab | trainable | threads | matmul | loss | step ms | tokens/s | peak tensor memory | wasm heap growth | peak RSS growth | PyTorch loss (live) | PyTorch ms (live) | PyTorch tokens/s | ours / PyTorch | PyTorch peak RSS growth (live) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const script = fileURLToPath(import.meta.url);
  for (const name of shapes) {
    const dir = mkdtempSync(join(tmpdir(), `bench-decoder-${name}-`));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(decoderConfig(name), null, 2));
    const args = [
      ...process.execArgv,
      script,
      '--one',
      name,
      '--config-dir',
      dir,
      '--backend',
      a.backend!,
      '--steps',
      String(STEPS),
      '--batch',
      String(B),
      '--seq',
      String(T),
      '--native',
      a.native!,
    ];
    if (a['wasm-threads']) args.push('--wasm-threads', a['wasm-threads']);
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, timeout: Number(a['row-timeout']) * 60_000, killSignal: 'SIGKILL' });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    const ours = r.status === 0 && line ? (JSON.parse(line) as DecoderRow) : null;
    let live = '| – | – | – | – | – |';
    if (py) {
      const t = spawnSync(py, [torchScript, '--config-dir', dir, '--batch', String(B), '--seq', String(T), '--steps', String(STEPS), '--threads', a.threads!], {
        encoding: 'utf8',
      });
      const tl = t.stdout.split('\n').find((l) => l.startsWith('{'));
      if (tl) {
        const p = JSON.parse(tl) as { ms: number; peak_bytes: number; loss: number };
        const ratio = ours ? `${(ours.ms / p.ms).toFixed(2)}×` : '–';
        live = `| ${p.loss.toFixed(3)} | ${p.ms.toFixed(0)} | ${Math.round((B * T) / (p.ms / 1000))} | ${ratio} | ${formatBytes(p.peak_bytes)} |`;
      } else live = `| failed: ${failure(t.stderr).slice(0, 60)} | | | | |`;
    }
    rmSync(dir, { recursive: true, force: true });
    if (!ours) {
      const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
      const why = timedOut ? `stopped after ${a['row-timeout']} min, no step finished` : r.signal ? `killed (${r.signal})` : failure(r.stderr) || `failed (exit ${r.status})`;
      console.log(`| ${name} | ${decoderShapeLabel(name)} | – | – | – | – | ${why} | | | | ${live}`);
      continue;
    }
    console.log(
      `| ${name} | ${decoderShapeLabel(name)} | ${ours.trainable.toLocaleString('en-US')} (${ours.trainablePercent.toFixed(3)}%) | ${ours.threads} | ${ours.matmul} | ${ours.loss.toFixed(3)} | ${ours.ms.toFixed(0)} | ${Math.round((B * T) / (ours.ms / 1000))} | ${formatBytes(ours.peak)} | ${ours.heap == null ? '–' : formatBytes(ours.heap)} | ${formatBytes(ours.rss)} ${live}`,
    );
  }
}
