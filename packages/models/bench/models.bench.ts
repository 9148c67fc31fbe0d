/**
 * pnpm bench:models — one training step (forward + backward + AdamW) of BertForSequenceClassification
 * at batch 8 × seq 128 for the BERT shapes of the PyTorch reference table, full fine-tuning and
 * LayerNorm-only, with tokens/s, peak tensor memory, the ratio to PyTorch 1.13 (ENVIRONMENT.md) and,
 * when a Python with torch + transformers is found (.venv-hf or TFJS_PEFT_PYTHON), to the same step
 * run live in PyTorch (bench/torch_step.py) on this machine in the same run.
 *   --backend wasm  --shapes tiny,mini,small,base  --steps 3  --batch 8  --seq 128  --torch auto|off  --threads 2
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { initBackend, manualSeed, formatBytes, countParameters, type BackendChoice } from '@tfjs-peft/core';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { timeTrainingSteps } from './train-step';

const { values: a } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    shapes: { type: 'string', default: 'tiny,mini,small,base' },
    steps: { type: 'string', default: '3' },
    batch: { type: 'string', default: '8' },
    seq: { type: 'string', default: '128' },
    one: { type: 'string' },
    torch: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '2' },
  },
});

/** A Python with torch + transformers (TFJS_PEFT_PYTHON or the repository's .venv-hf), for the live PyTorch column. */
function findPython(): string | null {
  if (a.torch === 'off') return null;
  const candidates = [process.env.TFJS_PEFT_PYTHON, fileURLToPath(new URL('../../../.venv-hf/bin/python', import.meta.url))].filter((p): p is string => !!p && existsSync(p));
  for (const py of candidates) if (spawnSync(py, ['-c', 'import torch, transformers'], { encoding: 'utf8' }).status === 0) return py;
  return null;
}
const SHAPES: Record<string, [number, number, number, number]> = {
  tiny: [2, 128, 2, 512],
  mini: [4, 256, 4, 1024],
  small: [4, 512, 8, 2048],
  base: [12, 768, 12, 3072],
};
// PyTorch 1.13, same machine, 2 threads, ms per step (ENVIRONMENT.md): full FT, LayerNorm-only
const TORCH: Record<string, [number, number]> = { tiny: [95, 28], mini: [290, 137], small: [938, 361], base: [4150, 2905] };
const [B, T, STEPS] = [Number(a.batch), Number(a.seq), Number(a.steps)];

const MODES = ['full', 'LayerNorm-only'] as const;
type Mode = (typeof MODES)[number];

/** One configuration, measured in this process; prints a JSON line. */
async function measureOne(name: string, mode: Mode): Promise<void> {
  await initBackend(a.backend as BackendChoice);
  const [L, H, heads, ffn] = SHAPES[name]!;
  manualSeed(0);
  const model = new BertForSequenceClassification({
    model_type: 'bert', vocab_size: 30522, hidden_size: H, num_hidden_layers: L, num_attention_heads: heads, intermediate_size: ffn,
    max_position_embeddings: 512, type_vocab_size: 2, num_labels: 2, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1,
  });
  model.train();
  if (mode === 'LayerNorm-only') model.freeze((n) => !n.includes('LayerNorm') && !n.startsWith('classifier.'));
  const ids = tf.randomUniform([B, T], 1000, 30000, 'int32', 1);
  const mask = tf.ones([B, T], 'int32');
  const labels = tf.randomUniform([B], 0, 2, 'int32', 2);
  const { ms, peak } = await timeTrainingSteps(() => model.forward({ inputIds: ids, attentionMask: mask, labels }).loss as tf.Scalar, model.trainableParameters(), STEPS);
  console.log(JSON.stringify({ ms, peak, trainablePercent: countParameters(model).trainablePercent }));
}

if (a.one) {
  const [name, mode] = a.one.split(':') as [string, Mode];
  await measureOne(name, mode);
} else {
  console.log(`tfjs-peft bench:models — backend ${a.backend}, batch ${B} × seq ${T}, median of ${STEPS} steps after a warm-up step; each configuration in its own process`);
  const py = findPython();
  const torchScript = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  console.log(py ? `live PyTorch: ${py}, ${a.threads} threads, the same step with transformers (dropout, AdamW), run after ours in this process` : 'live PyTorch: not run (no .venv-hf or TFJS_PEFT_PYTHON with torch + transformers; --torch off)');
  console.log('| shape | L/H/heads/FFN | mode | trainable | step ms | tokens/s | peak tensor memory | PyTorch ms (ENV table) | ratio | PyTorch ms (live) | live ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const results: Record<string, Partial<Record<Mode, number>>> = {};
  const script = fileURLToPath(import.meta.url);
  for (const name of a.shapes!.split(',')) {
    const [L, H, heads, ffn] = SHAPES[name]!;
    for (const mode of MODES) {
      const r = spawnSync(process.execPath, [...process.execArgv, script, '--one', `${name}:${mode}`, '--backend', a.backend!, '--steps', String(STEPS), '--batch', String(B), '--seq', String(T)], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
      const torch = TORCH[name]![mode === 'full' ? 0 : 1];
      if (r.status !== 0 || !line) {
        const why = /Aborted|out of memory|RangeError/i.test(r.stderr) ? 'out of memory (wasm heap is capped at 4 GiB)' : (r.stderr.trim().split('\n').pop() ?? 'failed').slice(0, 100);
        console.log(`| ${name} | ${L}/${H}/${heads}/${ffn} | ${mode} | – | ${why} | | | ${torch} | | | |`);
        continue;
      }
      const { ms, peak, trainablePercent } = JSON.parse(line) as { ms: number; peak: number; trainablePercent: number };
      (results[name] ??= {})[mode] = ms;
      let live = '| – | – |';
      if (py) {
        const t = spawnSync(py, [torchScript, '--shape', `${L},${H},${heads},${ffn}`, '--mode', mode, '--batch', String(B), '--seq', String(T), '--steps', String(STEPS), '--threads', a.threads!], { encoding: 'utf8' });
        const tl = t.stdout.split('\n').find((l) => l.startsWith('{'));
        if (tl) {
          const tms = (JSON.parse(tl) as { ms: number }).ms;
          live = `| ${tms.toFixed(0)} | ${(ms / tms).toFixed(2)}× |`;
        }
      }
      console.log(`| ${name} | ${L}/${H}/${heads}/${ffn} | ${mode} | ${trainablePercent.toFixed(3)}% | ${ms.toFixed(0)} | ${Math.round((B * T) / (ms / 1000))} | ${formatBytes(peak)} | ${torch} | ${(ms / torch).toFixed(2)}× ${live}`);
    }
  }
  console.log('\nLayerNorm-only speed-up over full fine-tuning (PyTorch: tiny 3.4×, mini 2.1×, small 2.6×, base 1.4×):');
  for (const [name, r] of Object.entries(results)) if (r.full && r['LayerNorm-only']) console.log(`  ${name}: ${(r.full / r['LayerNorm-only']).toFixed(2)}×`);
}
