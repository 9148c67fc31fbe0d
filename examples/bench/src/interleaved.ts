/**
 * pnpm bench:interleaved -- [--shapes mini,small] [--modes full,LayerNorm-only,LoRA] [--rounds 8] [--vary first-token-only]
 * One process per shape and mode, and in it the two settings of one switch timed step by step in
 * turn (A B A B …, after a warm-up step of each), so that the drift of a shared machine — ±30 % within
 * minutes here — falls on both alike. Prints the median and the minimum of each and their ratio.
 * Switches: `first-token-only` (the model's `firstTokenOnly`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend, variableGrads } from '@tfjs-peft/core';
import { AdamW } from '@tfjs-peft/train';
import { SHAPES, referenceTrainable } from './bert-shapes';
import { INTERLEAVED_CLI } from './cli';

// `pnpm bench:… -- --flag` hands the script a literal `--`
const { values: a } = INTERLEAVED_CLI.parseOrExit(process.argv.slice(2).filter((x) => x !== '--'));
const SWITCHES = ['first-token-only'];
if (!SWITCHES.includes(a.vary!)) throw new Error(`--vary: expected one of ${SWITCHES.join(', ')}, got ${a.vary}`);
const [B, T, ROUNDS] = [Number(a.batch), Number(a.seq), Number(a.rounds)];
const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;

async function measureOne(shape: string, mode: string): Promise<void> {
  await initBackend('wasm');
  const net = referenceTrainable(shape, mode);
  const ids = tf.randomUniform([B, T], 1000, 30000, 'int32', 1);
  const mask = tf.ones([B, T], 'int32');
  const labels = tf.randomUniform([B], 0, 2, 'int32', 2);
  const params = net.trainableParameters();
  const opt = new AdamW(params, { weightDecay: 0.01 });
  const step = async (on: boolean) => {
    const t0 = performance.now();
    const { value, grads } = variableGrads(
      () => net.forward({ inputIds: ids, attentionMask: mask, labels, firstTokenOnly: on }).loss as tf.Scalar,
      params.map(([, p]) => p.variable),
    );
    opt.apply(grads, 1e-5);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
    return performance.now() - t0;
  };
  await step(false);
  await step(true);
  const times: [number[], number[]] = [[], []];
  for (let r = 0; r < ROUNDS; r++) {
    // alternate which setting goes first, so neither always follows the other
    const order = r % 2 === 0 ? [false, true] : [true, false];
    for (const on of order) times[on ? 1 : 0].push(await step(on));
  }
  console.log(JSON.stringify({ off: times[0], on: times[1] }));
}

if (a.one) {
  const [shape, mode] = a.one.split(':') as [string, string];
  await measureOne(shape, mode);
} else {
  console.log(`tfjs-peft interleaved A/B — ${a.vary} off vs on, batch ${B} × seq ${T}, ${ROUNDS} rounds of alternating steps per row, wasm backend`);
  console.log('| shape | mode | off: median ms | off: min ms | on: median ms | on: min ms | speed-up (medians) | speed-up (minima) |');
  console.log('|---|---|---|---|---|---|---|---|');
  const script = fileURLToPath(import.meta.url);
  for (const shape of a.shapes!.split(',')) {
    if (!SHAPES[shape]) throw new Error(`--shapes: ${shape} is not one of ${Object.keys(SHAPES).join(', ')}`);
    for (const mode of a.modes!.split(',')) {
      const r = spawnSync(process.execPath, [...process.execArgv, script, '--one', `${shape}:${mode}`, '--rounds', String(ROUNDS), '--batch', String(B), '--seq', String(T)], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
      if (r.status !== 0 || !line) {
        console.log(`| ${shape} | ${mode} | failed: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 80)} | | | | | |`);
        continue;
      }
      const { off, on } = JSON.parse(line) as { off: number[]; on: number[] };
      const [mo, mn, lo, ln] = [median(off), median(on), Math.min(...off), Math.min(...on)];
      console.log(`| ${shape} | ${mode} | ${mo.toFixed(0)} | ${lo.toFixed(0)} | ${mn.toFixed(0)} | ${ln.toFixed(0)} | ${(mo / mn).toFixed(2)}× | ${(lo / ln).toFixed(2)}× |`);
    }
  }
}
