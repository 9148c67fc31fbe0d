import * as tf from '@tensorflow/tfjs-core';
import { GenerateOptionsError } from './options';
import type { PaddedPrompts } from './search';
import type { VirtualTokens } from './llama-decoder';

/**
 * A batch as a tokenizer returns it (`input_ids` and `attention_mask`, already padded on the left),
 * tensors or arrays; a prompt adapter's virtual tokens (`PeftModel.generate` adds them) ride along.
 */
export interface GenerateInputs extends VirtualTokens {
  inputIds: tf.Tensor | number[][];
  attentionMask?: tf.Tensor | number[][] | null;
}

export type GeneratePrompts = number[][] | GenerateInputs;

async function rowsOf(t: tf.Tensor | number[][], name: string, who: string): Promise<number[][]> {
  if (Array.isArray(t)) return t;
  if (!(t instanceof tf.Tensor) || t.rank !== 2)
    throw new GenerateOptionsError(`${who}: "${name}" expected a [batch, length] tensor or number[][], got ${t instanceof tf.Tensor ? `shape [${t.shape}]` : typeof t}`);
  const data = Array.from(await t.data(), Number);
  const [b, l] = t.shape as [number, number];
  return Array.from({ length: b }, (_, i) => data.slice(i * l, (i + 1) * l));
}

/**
 * The left-padded batch: ragged `number[][]` prompts are padded on the left with `pad` (as a
 * tokenizer with `padding_side: 'left'`); a `{ inputIds, attentionMask }` batch is taken as it is
 * (it must not have padding on the right).
 */
export async function padPrompts(prompts: GeneratePrompts, pad: number | null, vocabSize: number, who: string): Promise<PaddedPrompts> {
  let ids: number[][];
  let mask: number[][];
  if (Array.isArray(prompts)) {
    if (!prompts.length || prompts.some((p) => !Array.isArray(p) || !p.length))
      throw new GenerateOptionsError(
        `${who}: "prompts" expected one or more non-empty token lists, got ${JSON.stringify(prompts.map((p) => (Array.isArray(p) ? p.length : p)))} (lengths)`,
      );
    const longest = Math.max(...prompts.map((p) => p.length));
    if (prompts.some((p) => p.length !== longest) && pad == null)
      throw new GenerateOptionsError(
        `${who}: prompts of different lengths are padded on the left, but there is no "padTokenId" (nor a pad_token_id or eos_token_id in the config)`,
      );
    ids = prompts.map((p) => [...Array.from({ length: longest - p.length }, () => pad!), ...p]);
    mask = prompts.map((p) => [...Array.from({ length: longest - p.length }, () => 0), ...p.map(() => 1)]);
  } else if (prompts && typeof prompts === 'object' && 'inputIds' in prompts) {
    const known = ['inputIds', 'attentionMask', 'prefixes', 'promptEmbeds'];
    for (const key of Object.keys(prompts))
      if (!known.includes(key)) throw new GenerateOptionsError(`${who}: input "${key}" is not supported by generate; supported: ${known.join(', ')}`);
    ids = await rowsOf(prompts.inputIds, 'inputIds', who);
    mask = prompts.attentionMask == null ? ids.map((r) => r.map(() => 1)) : await rowsOf(prompts.attentionMask, 'attentionMask', who);
    if (!ids.length || !ids[0]!.length || ids.some((r) => r.length !== ids[0]!.length))
      throw new GenerateOptionsError(`${who}: "inputIds" expected a non-empty [batch, length] batch`);
    if (mask.length !== ids.length || mask.some((r) => r.length !== ids[0]!.length))
      throw new GenerateOptionsError(`${who}: "attentionMask" expected the shape of inputIds [${ids.length}, ${ids[0]!.length}]`);
    mask.forEach((m, b) => {
      const first = m.indexOf(1);
      if (first < 0 || m.slice(first).some((x) => x !== 1))
        throw new GenerateOptionsError(`${who}: "attentionMask" row ${b} expected padding (0) only on the left and at least one token, got ${JSON.stringify(m)}`);
    });
  } else throw new GenerateOptionsError(`${who}: "prompts" expected number[][] or { inputIds, attentionMask }, got ${typeof prompts}`);
  ids.forEach((r, b) =>
    r.forEach((t, i) => {
      if (!Number.isSafeInteger(t) || t < 0 || t >= vocabSize) throw new GenerateOptionsError(`${who}: prompt ${b} token ${i} expected a token id in 0…${vocabSize - 1}, got ${t}`);
    }),
  );
  return { ids, mask, padding: mask.map((m) => m.indexOf(1)) };
}
