import { describe, it, expect } from 'vitest';
import { floatKeysOf, serializeConfig } from './config';

describe('config.json round trip', () => {
  it('keeps float fields floats (0.0, 1e-12) and integers integers', () => {
    const text = '{"label_smoothing": 0.0, "layer_norm_eps": 1e-12, "hidden_size": 32, "text_config": {"my_scale": 2.0, "vocab_size": 99}}';
    const keys = floatKeysOf(text);
    expect([...keys].sort()).toEqual(['label_smoothing', 'layer_norm_eps', 'my_scale']);
    const out = serializeConfig(JSON.parse(text), keys);
    expect(out).toMatch(/"label_smoothing": 0\.0/);
    expect(out).toMatch(/"my_scale": 2\.0/);
    expect(out).toMatch(/"hidden_size": 32,/);
    expect(out).toMatch(/"vocab_size": 99\n/);
    expect(JSON.parse(out)).toEqual(JSON.parse(text));
    // known float fields are floats even without a source text
    expect(serializeConfig({ hidden_dropout_prob: 0 })).toBe('{\n  "hidden_dropout_prob": 0.0\n}\n');
  });
});
