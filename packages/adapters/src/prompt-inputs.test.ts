import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { withPrompt } from './prompt-inputs';

describe('withPrompt', () => {
  beforeAll(() => useBackend('cpu'));

  it('input_ids (the transformers spelling) is named with the camelCase key to use', () => {
    const prompt = tf.zeros([2, 4]);
    const words = (ids: tf.Tensor) => tf.zeros([...ids.shape, 4]);
    expect(() => withPrompt({ input_ids: tf.zeros([1, 3], 'int32') }, prompt, words)).toThrow(
      /inputIds are required \(forward takes camelCase input keys: inputIds instead of input_ids\)/,
    );
    expect(() => withPrompt({}, prompt, words)).toThrow(/^prompt tuning: inputIds are required$/);
    prompt.dispose();
  });
});
