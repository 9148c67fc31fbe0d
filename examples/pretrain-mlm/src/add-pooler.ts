/**
 * Adds a BERT pooler to a masked-LM checkpoint that has none:
 *   pnpm --filter @tfjs-peft/example-pretrain-mlm exec tsx src/add-pooler.ts <checkpoint folder> [--seed 0]
 *
 * MLM pretraining never trains `bert.pooler.dense`, and `BertForMaskedLM` does not have it, so a
 * classification model loaded from such a checkpoint draws a fresh pooler at every load (as
 * transformers does). Saving one draw (transformers' initialisation: normal(0, initializer_range),
 * zero bias, from `--seed`) makes every load, here and in transformers, start from the same weights.
 * The other tensors are written back unchanged, in their own dtype.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, manualSeed, rawToTypedArray, readCheckpointWeights, writeCheckpointWeights } from '@tfjs-peft/core';
import { BertModel } from '@tfjs-peft/models/bert';
import { readConfig } from '@tfjs-peft/models';
import { cliArgs } from '@tfjs-peft/example-shared/cli';
import { ADD_POOLER_CLI } from './add-pooler-cli';

const { values: a, positionals } = ADD_POOLER_CLI.parseOrExit(cliArgs());
const dir = positionals[0];
if (!dir) throw new Error(`${ADD_POOLER_CLI.help()}\n\nthe checkpoint folder is missing`);
await initBackend('cpu');
const weights = await readCheckpointWeights(dir);
if ([...weights.keys()].some((k) => k.includes('pooler.'))) throw new Error(`${dir}: the checkpoint already has a pooler`);
const dtypes = new Set([...weights.values()].map((t) => t.dtype));
if (dtypes.size !== 1) throw new Error(`${dir}: expected one dtype for all tensors, found ${[...dtypes].join(', ')}`);
const dtype = [...dtypes][0] as 'F16' | 'F32' | 'BF16';
manualSeed(Number(a.seed));
const bert = new BertModel(await readConfig(dir));
const tensors = new Map<string, tf.Tensor>();
for (const [k, raw] of weights) tensors.set(k, tf.tensor(rawToTypedArray(raw, k), raw.shape, 'float32'));
for (const [n, p] of bert.pooler!.namedParameters()) tensors.set(`bert.pooler.${n}`, p.value);
await writeCheckpointWeights(dir, tensors, { floatDtype: dtype });
console.log(`${dir}: added bert.pooler.dense.weight ${JSON.stringify(bert.pooler!.dense.weight.shape)} and bias (seed ${a.seed}), ${tensors.size} tensors in ${dtype}`);
