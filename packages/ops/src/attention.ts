import * as tf from '@tensorflow/tfjs-core';
import { OpInputError, fmtShape } from './errors';
import { dropout } from './dropout';
import { scaleShift } from './lean-grad';
import { softmaxLastAxis } from './softmax';

/** Additive value for masked-out scores (HF uses the dtype minimum; any value ≪ scores works). */
export const MASK_VALUE = -1e9;

export interface AttentionOptions {
  /**
   * Which keys each query may see. `[B, Tk]` is a padding mask (1 keep, 0 pad, as HF
   * `attention_mask`); `[B, Tq, Tk]` or `[B, 1|H, Tq, Tk]` masks per query. Prefix keys are
   * always visible and are not part of this mask.
   */
  mask?: tf.Tensor | null;
  /** Query i sees key j only when j ≤ i + (Tk − Tq) (decoder self-attention). */
  causal?: boolean;
  /** Extra keys/values put before `k`/`v`, `[B|1, H, P, D]` (prefix tuning, P-Tuning v2). */
  prefixKey?: tf.Tensor | null;
  prefixValue?: tf.Tensor | null;
  /** Score scale, default `1/√D`. */
  scale?: number;
  /** Dropout on the attention probabilities (training only). */
  dropoutRate?: number;
  seed?: number;
  training?: boolean;
}

function checkRank4(name: string, t: tf.Tensor): [number, number, number, number] {
  if (t.rank !== 4) throw new OpInputError('attention', name, 'rank 4 [batch,heads,seq,dim]', fmtShape(t.shape));
  return t.shape as [number, number, number, number];
}

/** Additive bias `[B|1, 1|H, Tq, Tk]` from the padding/query mask (keys only, no prefix). */
function maskBias(mask: tf.Tensor, b: number, h: number, tq: number, tk: number): tf.Tensor {
  const s = mask.shape;
  const ok =
    (mask.rank === 2 && (s[0] === b || s[0] === 1) && s[1] === tk) ||
    (mask.rank === 3 && (s[0] === b || s[0] === 1) && (s[1] === tq || s[1] === 1) && s[2] === tk) ||
    (mask.rank === 4 && (s[0] === b || s[0] === 1) && (s[1] === h || s[1] === 1) && (s[2] === tq || s[2] === 1) && s[3] === tk);
  if (!ok) {
    throw new OpInputError('attention', 'mask', `[${b},${tk}], [${b},${tq},${tk}] or [${b},1|${h},${tq},${tk}]`, fmtShape(s));
  }
  let m = tf.cast(mask, 'float32');
  if (m.rank === 2) m = tf.reshape(m, [s[0]!, 1, 1, tk]);
  else if (m.rank === 3) m = tf.expandDims(m, 1);
  return tf.mul(tf.sub(1, m), MASK_VALUE);
}

function causalBias(tq: number, tk: number): tf.Tensor {
  // allowed[i, j] = j <= i + (tk - tq)
  const i = tf.reshape(tf.range(0, tq, 1, 'int32'), [tq, 1]);
  const j = tf.reshape(tf.range(0, tk, 1, 'int32'), [1, tk]);
  const allowed = tf.lessEqual(j, tf.add(i, tf.scalar(tk - tq, 'int32')));
  return tf.reshape(tf.mul(tf.sub(1, tf.cast(allowed, 'float32')), MASK_VALUE), [1, 1, tq, tk]);
}

/**
 * Scaled dot-product attention `softmax(q·kᵀ·scale + bias)·v` on `[B, H, T, D]` tensors.
 * Self- or cross-attention (k/v may have another length than q), padding and causal masks,
 * and learned key/value prefixes. Returns `[B, H, Tq, Dv]`.
 */
function attention_(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, options: AttentionOptions = {}): tf.Tensor {
  const [b, h, tq, d] = checkRank4('q', q);
  const [kb, kh, tk, kd] = checkRank4('k', k);
  const [vb, vh, vt] = checkRank4('v', v);
  if (kb !== b || kh !== h || kd !== d) throw new OpInputError('attention', 'k', `[${b},${h},Tk,${d}]`, fmtShape(k.shape));
  if (vb !== b || vh !== h || vt !== tk) throw new OpInputError('attention', 'v', `[${b},${h},${tk},Dv]`, fmtShape(v.shape));
  const scale = options.scale ?? 1 / Math.sqrt(d);

  let bias: tf.Tensor | null = null;
  if (options.mask != null) bias = maskBias(options.mask, b, h, tq, tk);
  if (options.causal) bias = bias == null ? causalBias(tq, tk) : tf.add(bias, causalBias(tq, tk));

  let keys = k;
  let values = v;
  const { prefixKey, prefixValue } = options;
  if ((prefixKey == null) !== (prefixValue == null)) {
    throw new OpInputError('attention', 'prefixValue', 'to be given together with prefixKey', 'only one of them');
  }
  if (prefixKey != null && prefixValue != null) {
    const [pb, ph, p, pd] = checkRank4('prefixKey', prefixKey);
    const [qb, qh, qp, qd] = checkRank4('prefixValue', prefixValue);
    const dv = v.shape[3]!;
    if ((pb !== b && pb !== 1) || ph !== h || pd !== d || qb !== pb || qh !== h || qp !== p || qd !== dv) {
      throw new OpInputError(
        'attention',
        'prefixKey/prefixValue',
        `[${b}|1,${h},P,${d}] and [${b}|1,${h},P,${dv}]`,
        `${fmtShape(prefixKey.shape)} and ${fmtShape(prefixValue.shape)}`,
      );
    }
    const pk = pb === b ? prefixKey : tf.tile(prefixKey, [b, 1, 1, 1]);
    const pv = pb === b ? prefixValue : tf.tile(prefixValue, [b, 1, 1, 1]);
    keys = tf.concat([pk, k], 2);
    values = tf.concat([pv, v], 2);
    if (bias != null) {
      const bs = bias.shape;
      bias = tf.concat([tf.zeros([bs[0]!, bs[1]!, bs[2]!, p]), bias], 3);
    }
  }

  // the mask bias is a constant: the scores' gradient needs only the scale (nothing saved)
  let probs = softmaxLastAxis(scaleShift(tf.matMul(q, keys, false, true), scale, bias));
  if (options.training && (options.dropoutRate ?? 0) > 0) {
    probs = dropout(probs, options.dropoutRate!, options.seed ?? 0, true);
  }
  return tf.matMul(probs, values);
}

export const attention = tf.op({ attention_ });
