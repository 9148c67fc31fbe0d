/**
 * Masked-LM pretraining of a BERT from scratch (or continued pretraining of a checkpoint) on text,
 * so a pretrained checkpoint can be made without downloads.
 *
 *   pnpm --filter @tfjs-peft/example-pretrain-mlm start -- --vocab ./bert-base-uncased --corpus a.txt,b.txt \
 *     [--glue ./glue_data] [--init ./checkpoint] [--layers 2 --hidden 128 --heads 2 --ffn 512] \
 *     [--seq 64 --batch 32 --steps 2000 --lr 1e-3] [--whole-word] [--fp16] [--save-every N] [--resume dir/checkpoint-N] --out ./my-bert
 */
import * as tf from '@tensorflow/tfjs-core';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { existsSync } from 'node:fs';
import { initBackend, manualSeed, crossEntropy, countParameters, type BackendChoice } from '@tfjs-peft/core';
import { BertForMaskedLM, BertTokenizer } from '@tfjs-peft/models/bert';
import { Dataset, batches, maskTokens, permutation } from '@tfjs-peft/datasets';
import { Trainer } from '@tfjs-peft/train';
import { defineCli, runMain } from '@tfjs-peft/example-shared/cli';
import { backendOption } from '@tfjs-peft/example-shared/options';
import { readCorpus } from './corpus';
import { batchBlocks, blocksPerEpoch, epochOrder, packBlocks, tokenizeCorpus } from './pack';

interface MlmBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** flat positions of the chosen tokens and their labels: the head runs on these rows only */
  positions: tf.Tensor1D;
  targets: tf.Tensor1D;
}

export const PRETRAIN_MLM_CLI = defineCli({
  command: 'pnpm --filter @tfjs-peft/example-pretrain-mlm start --',
  summary: 'Masked-LM pretraining of a BERT from scratch (or continued pretraining of a checkpoint) on text files; saves a checkpoint with its tokenizer and a model card.',
  options: {
    vocab: { type: 'string', help: 'folder with vocab.txt (required unless --init)', value: 'folder' },
    corpus: { type: 'string', help: 'text files, comma-separated, one sentence or paragraph a line', default: '', value: 'files' },
    glue: { type: 'string', help: 'a glue_data folder whose training sentences join the corpus', value: 'folder' },
    init: { type: 'string', help: 'continue from this checkpoint (and its tokenizer) instead of a new model', value: 'folder' },
    layers: { type: 'string', help: 'layers of a new model', default: '2', value: 'n' },
    hidden: { type: 'string', help: 'hidden size of a new model', default: '128', value: 'n' },
    heads: { type: 'string', help: 'attention heads of a new model', default: '2', value: 'n' },
    ffn: { type: 'string', help: 'feed-forward size of a new model', default: '512', value: 'n' },
    seq: { type: 'string', help: 'tokens per sequence', default: '64', value: 'n' },
    pack: { type: 'boolean', help: 'pack lines into full blocks of --seq tokens ([SEP] between lines) instead of one padded line a row', default: false },
    heldout: { type: 'string', help: 'held-out text file (one line each) instead of 2 % of the corpus lines', value: 'file' },
    'eval-lines': { type: 'string', help: 'held-out lines evaluated (at most)', default: '4096', value: 'n' },
    'time-limit': { type: 'string', help: 'stop after this many minutes of training, saving a resumable checkpoint-N (0: no limit)', default: '0', value: 'min' },
    batch: { type: 'string', help: 'sequences per batch', default: '32', value: 'n' },
    steps: { type: 'string', help: 'optimizer steps', default: '2000', value: 'n' },
    lr: { type: 'string', help: 'peak learning rate (AdamW, linear schedule, 6 % warm-up)', default: '1e-3', value: 'rate' },
    'whole-word': { type: 'boolean', help: 'mask whole words rather than word pieces', default: false },
    fp16: { type: 'boolean', help: 'save the checkpoint in float16', default: false },
    backend: backendOption('wasm'),
    out: { type: 'string', help: 'folder for checkpoint/, the log and the model card', default: './runs/mlm', value: 'folder' },
    seed: { type: 'string', help: 'seed of initialisation, masking and shuffling', default: '42', value: 'n' },
    'eval-every': { type: 'string', help: 'held-out loss every n steps', default: '200', value: 'n' },
    'save-every': { type: 'string', help: 'save a resumable checkpoint every n steps (0: never)', default: '0', value: 'n' },
    resume: { type: 'string', help: 'resume from a saved dir/checkpoint-N', value: 'folder' },
  },
});

export async function main(argv: string[]): Promise<{ heldOutLoss: number; steps: number; tokens: number; out: string }> {
  const { values: a } = PRETRAIN_MLM_CLI.parse(argv);
  if (!a.vocab && !a.init) throw new Error('--vocab <folder with vocab.txt> (or --init <checkpoint with a tokenizer>) is required');
  await initBackend(a.backend as BackendChoice);
  const tokDir = (a.init ?? a.vocab)!;
  const tok = await BertTokenizer.fromPretrained(tokDir);
  const lines = await readCorpus(a.corpus ? a.corpus.split(',') : [], a.glue);
  if (lines.length < 100) throw new Error(`the corpus has ${lines.length} lines; give --corpus files or --glue`);
  const seed = Number(a.seed);
  const order = permutation(lines.length, seed);
  const nHeld = a.heldout ? 0 : Math.max(64, Math.round(lines.length * 0.02));
  const heldAll = a.heldout ? await readCorpus([a.heldout]) : order.slice(0, nHeld).map((i) => lines[i]!);
  // a fixed, seeded sample of the held-out lines: the same ones at every evaluation and on resume
  const held = permutation(heldAll.length, seed + 1)
    .slice(0, Number(a['eval-lines']))
    .map((i) => heldAll[i]!);
  const trainLines = order.slice(nHeld).map((i) => lines[i]!);
  const train = Dataset.from(trainLines);
  const seq = Number(a.seq);
  manualSeed(seed);
  const model = a.init
    ? await BertForMaskedLM.fromPretrained(a.init)
    : new BertForMaskedLM({
        model_type: 'bert',
        vocab_size: tok.vocabSize,
        hidden_size: Number(a.hidden),
        num_hidden_layers: Number(a.layers),
        num_attention_heads: Number(a.heads),
        intermediate_size: Number(a.ffn),
        max_position_embeddings: Math.max(512, seq),
        type_vocab_size: 2,
        hidden_dropout_prob: 0.1,
        attention_probs_dropout_prob: 0.1,
      });
  model.train();
  const special = [tok.padTokenId, tok.clsTokenId, tok.sepTokenId, tok.maskTokenId, tok.unkTokenId];
  // the masking seed of a batch depends only on (epoch, batch): a resumed run masks as the first did
  const maskSeedOf = (epoch: number, i: number) => seed * 1_000_003 + epoch * 100_003 + i;
  const makeBatch = (texts: string[], s: number): MlmBatch => {
    const enc = tok.encodeBatch(texts, { padding: 'longest', truncation: true, maxLength: seq });
    return maskedBatch(enc.inputIds, enc.attentionMask, s);
  };
  const maskedBatch = (inputIds: number[][], attentionMask: number[][], s: number): MlmBatch => {
    const enc = { inputIds, attentionMask };
    const m = maskTokens(enc.inputIds, {
      maskTokenId: tok.maskTokenId,
      vocabSize: tok.vocabSize,
      specialIds: special,
      seed: s,
      wholeWord: a['whole-word'],
      idToToken: (id) => tok.idToToken(id),
    });
    const t = enc.inputIds[0]!.length;
    const pos: number[] = [];
    const tgt: number[] = [];
    m.labels.forEach((row, r) => row.forEach((l, i) => l !== -100 && (pos.push(r * t + i), tgt.push(l))));
    if (!pos.length) (pos.push(1), tgt.push(enc.inputIds[0]![1]!)); // a batch with nothing chosen still trains on one token
    return {
      inputIds: tf.tensor2d(m.inputIds.flat(), [inputIds.length, t], 'int32'),
      attentionMask: tf.tensor2d(enc.attentionMask.flat(), [inputIds.length, t], 'int32'),
      positions: tf.tensor1d(pos, 'int32'),
      targets: tf.tensor1d(tgt, 'int32'),
    };
  };
  const mlmLoss = (b: MlmBatch): tf.Scalar =>
    tf.tidy(() => {
      const { lastHiddenState } = model.bert.forward({ inputIds: b.inputIds, attentionMask: b.attentionMask });
      const [bs, t, h] = lastHiddenState.shape as [number, number, number];
      const rows = tf.gather(tf.reshape(lastHiddenState, [bs * t, h]), b.positions);
      return crossEntropy(model.cls.predictions.forward(rows), b.targets) as tf.Scalar;
    });
  const free = (b: MlmBatch) => tf.dispose([b.inputIds, b.attentionMask, b.positions, b.targets]);
  const packOpts = { seq, clsId: tok.clsTokenId, sepId: tok.sepTokenId };
  const encodeIds = (batch: string[]) => tok.encodeBatch(batch, { addSpecialTokens: false, truncation: false }).inputIds;
  const ones = (n: number) => Array.from({ length: n }, () => new Array<number>(seq).fill(1));
  let heldBatches: MlmBatch[];
  let packed: ReturnType<typeof tokenizeCorpus> | null = null;
  if (a.pack) {
    const t0 = Date.now();
    packed = tokenizeCorpus(trainLines, encodeIds);
    const heldBlocks = [...packBlocks(tokenizeCorpus(held, encodeIds), packOpts)].map((b) => Array.from(b));
    heldBatches = Array.from({ length: Math.ceil(heldBlocks.length / 32) }, (_, i) => {
      const rows = heldBlocks.slice(i * 32, (i + 1) * 32);
      return maskedBatch(rows, ones(rows.length), 7 + i);
    });
    console.log(
      `packed: ${trainLines.length.toLocaleString('en-US')} lines → ${packed.ids.length.toLocaleString('en-US')} tokens, ` +
        `${blocksPerEpoch(packed, packOpts).toLocaleString('en-US')} blocks of ${seq} an epoch; ${heldBlocks.length} held-out blocks (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  } else {
    heldBatches = Array.from({ length: Math.ceil(held.length / 32) }, (_, i) => makeBatch(held.slice(i * 32, (i + 1) * 32), 7 + i));
  }
  const evaluate = async () => {
    model.eval();
    let sum = 0;
    let n = 0;
    for (const b of heldBatches) {
      const l = mlmLoss(b);
      sum += (await l.data())[0]! * b.targets.size;
      n += b.targets.size;
      l.dispose();
    }
    model.train();
    return { mlm_loss: sum / n, perplexity: Math.exp(sum / n) };
  };
  const out = a.out!;
  await mkdir(out, { recursive: true });
  const batchSize = Number(a.batch);
  let tokens = 0;
  const trainer = new Trainer<MlmBatch>({
    model,
    loss: mlmLoss,
    batches: (epoch) =>
      (function* () {
        let i = 0;
        const source = packed
          ? (function* () {
              for (const rows of batchBlocks(packBlocks(packed, packOpts, epochOrder(packed, seed, epoch)), batchSize))
                yield maskedBatch(
                  rows.map((r) => Array.from(r)),
                  ones(rows.length),
                  maskSeedOf(epoch, i++),
                );
            })()
          : (function* () {
              for (const texts of batches(train, { batchSize, shuffle: true, seed, epoch, dropLast: true, length: (x) => (x as string).length }))
                yield makeBatch(texts, maskSeedOf(epoch, i++));
            })();
        for (const b of source) {
          try {
            yield b;
          } finally {
            free(b);
          }
        }
      })(),
    maxSteps: Number(a.steps),
    learningRate: Number(a.lr),
    schedule: 'linear',
    warmupSteps: Math.round(Number(a.steps) * 0.06),
    maxGradNorm: 1,
    weightDecay: 0.01,
    evaluate,
    evalEvery: Number(a['eval-every']),
    saveEvery: Number(a['save-every']) || undefined,
    outputDir: out,
    tokensInBatch: (b) => {
      const n = b.attentionMask.size;
      tokens += n;
      return n;
    },
    seed,
  });
  if (a.resume) await trainer.resumeFrom(a.resume);
  const limitMin = Number(a['time-limit']);
  const stop = () => trainer.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = limitMin > 0 ? setTimeout(stop, limitMin * 60_000) : null;
  const before = await evaluate();
  const r = await trainer.train().finally(() => {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
  if (r.stoppedEarly && r.steps < Number(a.steps))
    console.log(`stopped at step ${r.steps} of ${a.steps} (time limit or signal); continue with --resume ${out}/checkpoint-${r.steps} and the same options`);
  const after = await evaluate();
  heldBatches.forEach(free);
  await model.savePretrained(`${out}/checkpoint`, { floatDtype: a.fp16 ? 'F16' : 'F32' });
  for (const f of ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json']) if (existsSync(`${tokDir}/${f}`)) await copyFile(`${tokDir}/${f}`, `${out}/checkpoint/${f}`);
  const c = countParameters(model);
  await writeFile(
    `${out}/checkpoint/README.md`,
    `# BERT pretrained with tfjs-peft (masked LM)\n\n` +
      `- architecture: ${a.layers} layers, hidden ${a.hidden}, ${a.heads} heads, FFN ${a.ffn}, vocabulary ${tok.vocabSize} (${c.total.toLocaleString('en-US')} parameters)\n` +
      `- corpus: ${lines.length.toLocaleString('en-US')} lines (${held.length} held out) from ${[...(a.corpus ? a.corpus.split(',').map((f) => basename(f)) : []), ...(a.glue ? ['GLUE train sentences'] : [])].join(', ')}\n` +
      `- training: ${r.steps} steps × batch ${batchSize} × ≤${seq} tokens (${(a.pack ? r.steps * batchSize * seq : tokens).toLocaleString('en-US')} tokens${a.pack ? ', packed' : ''}), AdamW lr ${a.lr}, linear schedule with 6 % warm-up, masking 15 % (80/10/10${a['whole-word'] ? ', whole words' : ''})\n` +
      `- held-out masked-LM loss: ${before.mlm_loss.toFixed(3)} before, ${after.mlm_loss.toFixed(3)} after (perplexity ${after.perplexity.toFixed(1)})\n` +
      `- training log: log.jsonl beside this folder\n`,
  );
  console.log(
    `held-out MLM loss ${before.mlm_loss.toFixed(3)} → ${after.mlm_loss.toFixed(3)} (perplexity ${after.perplexity.toFixed(1)}) after ${r.steps} steps; saved ${out}/checkpoint`,
  );
  trainer.dispose();
  model.dispose();
  return { heldOutLoss: after.mlm_loss, steps: r.steps, tokens, out: `${out}/checkpoint` };
}

runMain(import.meta.url, main);
