/**
 * pnpm bench:adapters — every method on the BERT-mini shape (4 layers, hidden 256, 4 heads, FFN 1024;
 * batch 8 × seq 128, AdamW): trainable %, step time, tokens/s and peak tensor memory beside full
 * fine-tuning — the columns of the MILE tables. Each method runs in its own process.
 *   --backend wasm  --steps 3  --methods full,ln-tuning,lora,…
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend, formatBytes, countParameters, type BackendChoice } from '@tfjs-peft/core';
import { referenceBert } from './bert-shapes';
import { applyPeft } from '@tfjs-peft/adapters';
import { timeTrainingSteps } from './train-step';
import { ADAPTERS_CLI } from './cli';
import { CONFIGS } from './adapter-configs';

// `pnpm bench:… -- --flag` hands the script a literal `--`
const { values: a } = ADAPTERS_CLI.parseOrExit(process.argv.slice(2).filter((x) => x !== '--'));
const [B, T, STEPS] = [8, 128, Number(a.steps)];

async function measureOne(name: string): Promise<void> {
  await initBackend(a.backend as BackendChoice);
  const model = referenceBert('mini');
  const peft = applyPeft(model, CONFIGS[name]!);
  peft.train();
  const inputs = { inputIds: tf.randomUniform([B, T], 1000, 30000, 'int32', 1), attentionMask: tf.ones([B, T], 'int32'), labels: tf.randomUniform([B], 0, 2, 'int32', 2) };
  const { ms, peak } = await timeTrainingSteps(() => (peft.forward(inputs) as { loss: tf.Scalar }).loss, peft.trainableParameters(), STEPS, 1e-4);
  const c = countParameters(peft);
  console.log(JSON.stringify({ ms, peak, trainable: c.trainable, percent: c.trainablePercent, state: peft.memoryReport().optimizerStateBytes }));
}

if (a.one) {
  await measureOne(a.one);
} else {
  console.log(`tfjs-peft bench:adapters — BERT-mini (4/256/4/1024), batch ${B} × seq ${T}, AdamW, backend ${a.backend}, median of ${STEPS} steps; each method in its own process`);
  console.log('| method | trainable params | trainable % | step ms | tokens/s | vs full | peak tensor memory | AdamW state |');
  console.log('|---|---|---|---|---|---|---|---|');
  const script = fileURLToPath(import.meta.url);
  let fullMs = 0;
  for (const name of a.methods!.split(';')) {
    const r = spawnSync(process.execPath, [...process.execArgv, script, '--one', name, '--backend', a.backend!, '--steps', String(STEPS)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0 || !line) {
      console.log(`| ${name} | failed: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 100)} | | | | | | |`);
      continue;
    }
    const m = JSON.parse(line) as { ms: number; peak: number; trainable: number; percent: number; state: number };
    if (name === 'full') fullMs = m.ms;
    console.log(
      `| ${name} | ${m.trainable.toLocaleString('en-US')} | ${m.percent.toFixed(3)}% | ${m.ms.toFixed(0)} | ${Math.round((B * T) / (m.ms / 1000))} | ${fullMs ? `${(fullMs / m.ms).toFixed(2)}× faster` : '–'} | ${formatBytes(m.peak)} | ${formatBytes(m.state)} |`,
    );
  }
}
