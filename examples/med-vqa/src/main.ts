/**
 * MILE on a small MISS-shaped BLIP: train under a per-sub-module policy (ViT / joint text-multimodal
 * encoder / decoder, each F(rozen), T(rained) or under LoRA, IA3, Prefix, P-Tuning v2, LayerNorm,
 * FFN-only or attention-only) on VQA-RAD's real images, answer the test split by beam search and
 * print MILE's row: #params %, peak memory, opened / closed / global accuracy.
 *
 *   pnpm --filter @tfjs-peft/example-med-vqa start -- --data ./VQA_RAD --policy vit=F,jtm=T,dec=lora \
 *     [--sweep] [--model <BLIP/MISS checkpoint>] [--text-init <BERT checkpoint>] [--max-steps 300] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { initBackend, countParameters, measurePeakBytes, formatBytes, manualSeed, type BackendChoice } from '@tfjs-peft/core';
import { BertTokenizer } from '@tfjs-peft/models/bert';
import { BlipForQuestionAnswering } from '@tfjs-peft/models/blip';
import { applyPeft } from '@tfjs-peft/adapters';
import { loadVqaRad, loadSlake, vqaSummary, permutation, type VqaSplit } from '@tfjs-peft/datasets';
import { vqaAccuracy } from '@tfjs-peft/metrics';
import { Trainer } from '@tfjs-peft/train';
import { defineCli, runMain } from '@tfjs-peft/example-shared/cli';
import { backendOption } from '@tfjs-peft/example-shared/options';
import { parsePolicy, SWEEP } from './policy';
import { buildMissSmall, missSmallConfig, SEP_TOKEN_ID, PAD_TOKEN_ID } from './model';
import { blipProcessor, imageCache, vqaBatch, freeBatch, type VqaBatch } from './data';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EMBEDDED_BERT = `${ROOT}assets/bert-tiny-tfjs-peft`;
const SHARED_RAD = process.env.TFJS_PEFT_SHARED_DIR
  ? `${process.env.TFJS_PEFT_SHARED_DIR}/data/vqa_rad`
  : fileURLToPath(new URL('../../../../shared/data/vqa_rad', import.meta.url));

export interface MileRow {
  policy: string;
  trainablePercent: number;
  peakBytes: number;
  opened: number;
  closed: number;
  global: number;
  wallMs: number;
  losses: number[];
}

async function loadSplits(data: string): Promise<{ train: VqaSplit; test: VqaSplit }> {
  if (existsSync(`${data}/VQA_RAD Dataset Public.json`)) return { train: await loadVqaRad(data, 'train'), test: await loadVqaRad(data, 'test') };
  if (existsSync(`${data}/train.json`) && existsSync(`${data}/test.json`)) return { train: await loadSlake(data, 'train'), test: await loadSlake(data, 'test') };
  throw new Error(`--data ${data}: neither a VQA-RAD folder ("VQA_RAD Dataset Public.json") nor a SLAKE folder (train.json, test.json)`);
}

export const MED_VQA_CLI = defineCli({
  command: 'pnpm --filter @tfjs-peft/example-med-vqa start --',
  summary:
    "MILE on a small MISS-shaped BLIP: train under a per-sub-module policy (ViT / joint text-multimodal encoder / decoder), answer the test split by beam search and print MILE's row (#params %, peak memory, opened / closed / global accuracy).",
  options: {
    data: { type: 'string', help: 'a VQA-RAD or SLAKE folder', defaultLabel: '../shared/data/vqa_rad beside the repository, when there', value: 'folder' },
    policy: {
      type: 'string',
      help: `vit=…,jtm=…,dec=… with cells F, T, ${['lora', 'ia3', 'prefix', 'ptv2', 'ln', 'ffn', 'attn'].join(', ')}; several separated by ;`,
      default: 'vit=F,jtm=T,dec=lora',
      value: 'policy',
    },
    sweep: { type: 'boolean', help: "run every row of MILE's tables instead of --policy", default: false },
    model: { type: 'string', help: 'a BlipForQuestionAnswering checkpoint (default: a small MISS-shaped BLIP built here)', value: 'folder' },
    'text-init': {
      type: 'string',
      help: "BERT checkpoint the built model's text encoder and decoder start from (and the tokenizer)",
      default: EMBEDDED_BERT,
      defaultLabel: 'the embedded bert-tiny-tfjs-peft',
      value: 'folder',
    },
    hidden: { type: 'string', help: 'hidden size of the built model', default: '128', value: 'n' },
    layers: { type: 'string', help: 'layers of each part of the built model', default: '2', value: 'n' },
    'max-steps': { type: 'string', help: 'optimizer steps per policy', default: '300', value: 'n' },
    'batch-size': { type: 'string', help: 'questions per batch', default: '16', value: 'n' },
    lr: { type: 'string', help: 'learning rate, or auto (5e-4 when a part is fully trained, else 2e-3)', default: 'auto', value: 'rate' },
    'train-limit': { type: 'string', help: 'use the first n training questions (default: all)', value: 'n' },
    'test-limit': { type: 'string', help: 'answer the first n test questions (default: all)', value: 'n' },
    beams: { type: 'string', help: 'beam width of the answers', default: '3', value: 'n' },
    backend: backendOption('wasm'),
    out: { type: 'string', help: 'folder for results.md and one log per policy', default: './runs/med-vqa', value: 'folder' },
    seed: { type: 'string', help: 'seed of initialisation, shuffling and dropout', default: '42', value: 'n' },
  },
});

export async function main(argv: string[]): Promise<MileRow[]> {
  const { values: a } = MED_VQA_CLI.parse(argv);
  const data = a.data ?? (existsSync(SHARED_RAD) ? SHARED_RAD : undefined);
  if (!data) throw new Error('--data <VQA-RAD or SLAKE folder> is required (../shared/data/vqa_rad was not found beside the repository)');
  // one policy, several separated by ';', or the whole table
  const policies = a.sweep
    ? SWEEP
    : a
        .policy!.split(';')
        .map((x) => x.trim())
        .filter(Boolean);
  policies.forEach(parsePolicy); // fail early on a bad policy
  await initBackend(a.backend as BackendChoice);
  const { train, test } = await loadSplits(data);
  if (!train.imagesPresent) throw new Error(`${train.dataset} images not found under ${train.imageRoot}; this example trains on images`);
  if (a['train-limit']) train.items = train.items.slice(0, Number(a['train-limit']));
  if (a['test-limit']) test.items = test.items.slice(0, Number(a['test-limit']));
  const s = vqaSummary(test.items);
  console.log(
    `${train.dataset}: ${train.items.length} train, ${test.items.length} test questions (test: ${JSON.stringify(s.byAnswerType)}, yes/no ${s.yesNo}, organs ${JSON.stringify(s.byOrgan)})`,
  );
  // the bert-base-uncased vocabulary: from the BLIP checkpoint, the text-init checkpoint or the embedded one
  const tok = await BertTokenizer.fromPretrained(a.model ?? (a['text-init'] || EMBEDDED_BERT));
  const config = missSmallConfig({ hidden: Number(a.hidden), layers: Number(a.layers), heads: 2, ffn: 4 * Number(a.hidden) });
  const imageSize = (config.vision_config as Record<string, number>).image_size!;
  const processor = blipProcessor(imageSize);
  const t0 = performance.now();
  const cache = await imageCache([...train.items, ...test.items], train.imageRoot, processor);
  console.log(`decoded and preprocessed ${cache.index.size} images to ${imageSize}×${imageSize} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const seed = Number(a.seed);
  const batchSize = Number(a['batch-size']);
  const rows: MileRow[] = [];
  for (const policy of policies) {
    console.log(`\n== ${policy}`);
    const start = performance.now();
    const { model } = a.model ? { model: await BlipForQuestionAnswering.fromPretrained(a.model) } : await buildMissSmall(config, a['text-init'] || null, seed);
    manualSeed(seed);
    const peft = applyPeft(model, parsePolicy(policy));
    const trainable = peft;
    trainable.train();
    const trainer = new Trainer<VqaBatch>({
      model: trainable,
      loss: (b) => trainable.forward(b).loss as tf.Scalar,
      batches: (epoch) =>
        (function* () {
          const order = permutation(train.items.length, seed + epoch);
          for (let i = 0; i + batchSize <= order.length; i += batchSize) {
            const b = vqaBatch(
              order.slice(i, i + batchSize).map((k) => train.items[k]!),
              tok,
              cache,
            );
            try {
              yield b;
            } finally {
              freeBatch(b);
            }
          }
        })(),
      maxSteps: Number(a['max-steps']),
      // auto: 5e-4 when a sub-module is fully trained, 2e-3 when only PEFT parameters train (a few hundred steps)
      learningRate: a.lr === 'auto' ? (/=T\b/.test(policy) ? 5e-4 : 2e-3) : Number(a.lr),
      schedule: 'cosine',
      weightDecay: 0.05,
      outputDir: `${a.out}/${policy.replace(/[=,]/g, '_')}`,
      seed,
    });
    const { result, peakBytes } = await measurePeakBytes(() => trainer.train());
    // answers by beam search, as MISS
    trainable.eval();
    const predictions: string[] = [];
    for (let i = 0; i < test.items.length; i += 32) {
      const b = vqaBatch(test.items.slice(i, i + 32), tok, cache);
      const g = await (peft as unknown as { generate(x: unknown, o: unknown): Promise<{ sequences: number[][] }> }).generate(
        { pixelValues: b.pixelValues, inputIds: b.inputIds, attentionMask: b.attentionMask },
        { numBeams: Number(a.beams), maxLength: 10, minLength: 1, eosTokenId: SEP_TOKEN_ID, padTokenId: PAD_TOKEN_ID },
      );
      for (const seq of g.sequences) predictions.push(tok.decode(seq.slice(1), { skipSpecialTokens: true }));
      freeBatch(b);
    }
    const acc = vqaAccuracy(
      predictions,
      test.items.map((t) => t.answer),
    );
    const row: MileRow = {
      policy,
      trainablePercent: countParameters(trainable).trainablePercent,
      peakBytes,
      opened: acc.open,
      closed: acc.closed,
      global: acc.global,
      wallMs: performance.now() - start,
      losses: result.losses,
    };
    rows.push(row);
    console.log(
      `${policy}: #params ${row.trainablePercent.toFixed(3)}%, opened ${row.opened.toFixed(2)}, closed ${row.closed.toFixed(2)}, global ${row.global.toFixed(2)} (${(row.wallMs / 1000).toFixed(0)} s); e.g. "${test.items[0]!.question}" → "${predictions[0]}" (truth "${test.items[0]!.answer}")`,
    );
    trainer.dispose();
    peft.dispose();
  }
  cache.pixels.dispose();
  const table = [
    `| ViT / JTM / Dec | #params % | peak tensor memory | opened | closed | global | wall s |`,
    `|---|---|---|---|---|---|---|`,
    ...rows.map(
      (r) =>
        `| ${r.policy
          .replace(/vit=|jtm=|dec=/g, '')
          .split(',')
          .join(
            ' / ',
          )} | ${r.trainablePercent.toFixed(3)} | ${formatBytes(r.peakBytes)} | ${r.opened.toFixed(2)} | ${r.closed.toFixed(2)} | ${r.global.toFixed(2)} | ${(r.wallMs / 1000).toFixed(0)} |`,
    ),
  ].join('\n');
  console.log(`\n${table}`);
  await mkdir(a.out!, { recursive: true });
  await writeFile(`${a.out}/results.md`, `${table}\n`);
  return rows;
}

runMain(import.meta.url, main);
