import type { RawTensor } from '@tfjs-peft/core';
import type { RawConfig } from '../common/config';
import { Llama2cFormatError } from './errors';
import { readLlama2cHeader, type Llama2cHeader } from './header';
import { llama2cFileBytes, llama2cLayout, type Llama2cSection, type Llama2cWeightName } from './layout';
import { interleavedToHalfRotary } from './rotary-permute';

export interface ConvertLlama2cOptions {
  /** names the source in error messages (a path); default `<bytes>` */
  label?: string;
  /** RoPE base; llama2.c uses 10000 (run.c, model.py). Version 0 files carry their tables, which must match it. */
  ropeTheta?: number;
  /** RMSNorm epsilon; 1e-5 in llama2.c (run.c `rmsnorm`, model.py `norm_eps`) */
  rmsNormEps?: number;
  /** 1 in llama2.c's SentencePiece vocabularies (run.c prepends it) */
  bosTokenId?: number;
  /** 2 in llama2.c's SentencePiece vocabularies */
  eosTokenId?: number;
  /** check a version-0 file's stored `freq_cis` tables against `ropeTheta` (default true) */
  checkRopeTables?: boolean;
}

export interface Llama2cConversion {
  /** a Hugging Face `LlamaForCausalLM` config.json object */
  config: RawConfig;
  /** a generation_config.json object (bos/eos) */
  generationConfig: RawConfig;
  /** float32 tensors under Hugging Face state-dict names (no `lm_head.weight` when tied) */
  tensors: Map<string, RawTensor>;
  header: Llama2cHeader;
}

/** Config fields written as floats even when whole (`10000.0`), as transformers writes them. */
export const LLAMA2C_FLOAT_KEYS = new Set(['rope_theta', 'rms_norm_eps', 'attention_dropout', 'initializer_range']);

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readF32(bytes: Uint8Array, s: Llama2cSection): Float32Array {
  if (littleEndianHost) return new Float32Array(bytes.slice(s.offset, s.offset + 4 * s.size).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + s.offset, 4 * s.size);
  return Float32Array.from({ length: s.size }, (_, i) => view.getFloat32(4 * i, true));
}

/**
 * Converts a llama2.c checkpoint (`.bin`, float32, version 0 or 1) into a Hugging Face Llama
 * checkpoint: a `LlamaForCausalLM` config and its state dict. The file size must be exactly what
 * the header implies. wq and wk are permuted from llama2.c's interleaved rotary pairs to
 * transformers' `rotate_half` layout (`interleavedToHalfRotary`); every other array is copied.
 */
export function convertLlama2c(bytes: Uint8Array, options: ConvertLlama2cOptions = {}): Llama2cConversion {
  const file = options.label ?? '<bytes>';
  const ropeTheta = options.ropeTheta ?? 10000;
  const h = readLlama2cHeader(bytes, file);
  const expected = llama2cFileBytes(h);
  if (bytes.byteLength !== expected) {
    const what = bytes.byteLength < expected ? 'truncated' : 'longer than its header says';
    throw new Llama2cFormatError(
      file,
      `file is ${what}: expected exactly ${expected} bytes for ${describeHeader(h)}, got ${bytes.byteLength} (${bytes.byteLength - expected > 0 ? '+' : ''}${bytes.byteLength - expected})`,
    );
  }
  const arrays = new Map<Llama2cWeightName, Float32Array>();
  for (const s of llama2cLayout(h)) {
    const values = readF32(bytes, s);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Llama2cFormatError(file, `"${s.name}" expected finite float32 values, got ${values[bad]} at index ${bad} (byte ${s.offset + 4 * bad})`);
    arrays.set(s.name, values);
  }
  if (h.version === 0 && options.checkRopeTables !== false) checkRopeTables(arrays, h, ropeTheta, file);

  const { dim, hiddenDim, nLayers, nHeads, nKvHeads } = h;
  const headDim = dim / nHeads;
  const kvDim = headDim * nKvHeads;
  const tensors = new Map<string, RawTensor>();
  const put = (name: string, shape: number[], v: Float32Array) => tensors.set(name, { dtype: 'F32', shape, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) });
  const layer = (name: Llama2cWeightName, l: number, per: number) => arrays.get(name)!.subarray(l * per, (l + 1) * per);
  put('model.embed_tokens.weight', [h.vocabSize, dim], arrays.get('token_embedding_table')!);
  for (let l = 0; l < nLayers; l++) {
    const p = `model.layers.${l}`;
    put(`${p}.input_layernorm.weight`, [dim], layer('rms_att_weight', l, dim));
    put(`${p}.self_attn.q_proj.weight`, [dim, dim], interleavedToHalfRotary(layer('wq', l, dim * dim), nHeads, dim, dim));
    put(`${p}.self_attn.k_proj.weight`, [kvDim, dim], interleavedToHalfRotary(layer('wk', l, kvDim * dim), nKvHeads, kvDim, dim));
    put(`${p}.self_attn.v_proj.weight`, [kvDim, dim], layer('wv', l, kvDim * dim));
    put(`${p}.self_attn.o_proj.weight`, [dim, dim], layer('wo', l, dim * dim));
    put(`${p}.post_attention_layernorm.weight`, [dim], layer('rms_ffn_weight', l, dim));
    put(`${p}.mlp.gate_proj.weight`, [hiddenDim, dim], layer('w1', l, hiddenDim * dim));
    put(`${p}.mlp.down_proj.weight`, [dim, hiddenDim], layer('w2', l, dim * hiddenDim));
    put(`${p}.mlp.up_proj.weight`, [hiddenDim, dim], layer('w3', l, hiddenDim * dim));
  }
  put('model.norm.weight', [dim], arrays.get('rms_final_weight')!);
  if (!h.sharedClassifier) put('lm_head.weight', [h.vocabSize, dim], arrays.get('wcls')!);

  const bos = options.bosTokenId ?? 1;
  const eos = options.eosTokenId ?? 2;
  for (const [key, id] of [
    ['bosTokenId', bos],
    ['eosTokenId', eos],
  ] as const)
    if (!Number.isSafeInteger(id) || id < 0 || id >= h.vocabSize) throw new Llama2cFormatError(file, `option "${key}" expected an id in [0, ${h.vocabSize}), got ${id}`);
  const config: RawConfig = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: h.vocabSize,
    hidden_size: dim,
    intermediate_size: hiddenDim,
    num_hidden_layers: nLayers,
    num_attention_heads: nHeads,
    num_key_value_heads: nKvHeads,
    head_dim: headDim,
    hidden_act: 'silu',
    max_position_embeddings: h.seqLen,
    rms_norm_eps: options.rmsNormEps ?? 1e-5,
    rope_theta: ropeTheta,
    rope_parameters: { rope_type: 'default', rope_theta: ropeTheta },
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: 0,
    initializer_range: 0.02,
    pretraining_tp: 1,
    tie_word_embeddings: h.sharedClassifier,
    use_cache: true,
    bos_token_id: bos,
    eos_token_id: eos,
    dtype: 'float32',
  };
  const generationConfig: RawConfig = { bos_token_id: bos, eos_token_id: eos };
  return { config, generationConfig, tensors, header: h };
}

function describeHeader(h: Llama2cHeader): string {
  return (
    `version ${h.version} (dim ${h.dim}, hidden_dim ${h.hiddenDim}, n_layers ${h.nLayers}, n_heads ${h.nHeads}, n_kv_heads ${h.nKvHeads}, ` +
    `vocab_size ${h.vocabSize}, seq_len ${h.seqLen}, ${h.sharedClassifier ? 'shared' : 'separate'} classifier)`
  );
}

/**
 * Version 0 stores the RoPE tables `freq_cis_real[t, j] = cos(t·θ^(−2j/d))` (and `imag`: sin) that
 * model.py computed; recent run.c ignores them and recomputes with θ = 10000. A table that differs
 * means the checkpoint was trained with another base, so the config would be wrong.
 */
function checkRopeTables(arrays: Map<Llama2cWeightName, Float32Array>, h: Llama2cHeader, theta: number, file: string): void {
  const half = h.dim / h.nHeads / 2;
  const real = arrays.get('freq_cis_real')!;
  const imag = arrays.get('freq_cis_imag')!;
  for (let t = 0; t < h.seqLen; t++)
    for (let j = 0; j < half; j++) {
      const angle = t * Math.pow(theta, -j / half);
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      const i = t * half + j;
      // float32 angles in model.py: an error of ~t·2^-24 rad
      const tol = 1e-4 + 1e-6 * t;
      if (Math.abs(real[i]! - c) > tol || Math.abs(imag[i]! - s) > tol)
        throw new Llama2cFormatError(
          file,
          `"freq_cis_real/imag" at position ${t}, pair ${j}: expected cos/sin ${c.toFixed(6)}/${s.toFixed(6)} for rope_theta ${theta}, got ${real[i]}/${imag[i]}; pass the checkpoint's ropeTheta (or checkRopeTables: false)`,
        );
    }
}
