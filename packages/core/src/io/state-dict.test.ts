import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { initBackend, Module, Linear, LayerNorm, loadStateDict, stateDict, StateDictError, readCheckpointWeights, type RawTensor } from '../index';
import { GOLDEN_DIR, hasShared, SHARED_MISSING } from '../testing/shared';

class Net extends Module {
  dense = new Linear(3, 2);
  LayerNorm = new LayerNorm(2);
}

describe('state dict', () => {
  beforeAll(() => initBackend('cpu'));

  it('stateDict names match namedParameters; loadStateDict copies values (tensors and raw)', async () => {
    const a = new Net();
    const b = new Net();
    expect([...stateDict(a).keys()]).toEqual(['dense.weight', 'dense.bias', 'LayerNorm.weight', 'LayerNorm.bias']);
    const r = loadStateDict(b, stateDict(a));
    expect(r).toEqual({ missing: [], unexpected: [], loaded: 4 });
    expect(Array.from(await b.dense.weight.value.data())).toEqual(Array.from(await a.dense.weight.value.data()));
    const raw: RawTensor = { dtype: 'F16', shape: [2], bytes: new Uint8Array(Uint16Array.of(0x3c00, 0x4000).buffer) }; // 1, 2
    loadStateDict(b, new Map([['LayerNorm.bias', raw]]), { strict: false });
    expect(Array.from(await b.LayerNorm.bias.value.data())).toEqual([1, 2]);
    a.dispose();
    b.dispose();
  });

  it('one error lists missing, unexpected and mis-shaped keys, and nothing is changed', async () => {
    const n = new Net();
    const before = Array.from(await n.dense.bias!.value.data());
    const bad = new Map<string, tf.Tensor>([
      ['dense.weight', tf.zeros([3, 2])],
      ['dense.bias', tf.zeros([2])],
      ['pooler.dense.weight', tf.zeros([2, 2])],
    ]);
    let err: StateDictError | undefined;
    try {
      loadStateDict(n, bad);
    } catch (e) {
      err = e as StateDictError;
    }
    expect(err).toBeInstanceOf(StateDictError);
    expect(err!.message).toMatch(/missing keys \(2\): LayerNorm\.weight, LayerNorm\.bias/);
    expect(err!.message).toMatch(/unexpected keys \(1\): pooler\.dense\.weight/);
    expect(err!.message).toMatch(/dense\.weight expected \[2,3\], got \[3,2\]/);
    expect(err!.mismatched).toEqual([{ key: 'dense.weight', expected: [2, 3], received: [3, 2] }]);
    expect(Array.from(await n.dense.bias!.value.data())).toEqual(before);
    // non-strict tolerates missing/unexpected but never a wrong shape
    bad.set('dense.weight', tf.zeros([2, 3]));
    expect(loadStateDict(n, bad, { strict: false })).toEqual({ missing: ['LayerNorm.weight', 'LayerNorm.bias'], unexpected: ['pooler.dense.weight'], loaded: 2 });
    tf.dispose([...bad.values()]);
    n.dispose();
  });

  it.skipIf(!hasShared)('loads a golden HF checkpoint into a module tree with the same names', async () => {
    const weights = await readCheckpointWeights(join(GOLDEN_DIR, 'bert-seqcls'));
    class Pooler extends Module {
      dense = new Linear(32, 32);
    }
    class Bert extends Module {
      pooler = new Pooler();
    }
    class Cls extends Module {
      bert = new Bert();
      classifier = new Linear(32, 3);
    }
    const m = new Cls();
    const r = loadStateDict(m, weights, { strict: false });
    expect(r.loaded).toBe(4);
    expect(r.missing).toEqual([]);
    expect(r.unexpected.length).toBe(37);
    m.dispose();
  });
  it.skipIf(hasShared)(SHARED_MISSING, () => undefined);
});
