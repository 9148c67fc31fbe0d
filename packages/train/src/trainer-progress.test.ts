import { describe, it, expect, beforeAll, afterEach, vi } from 'vitest';
import { useBackend } from '@tfjs-peft/ops/testing';
import { progressByDefault } from './trainer';
import { setup } from './test-fixture';

describe('Trainer progress by default', () => {
  beforeAll(() => useBackend('cpu'));
  const saved = process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS;
  afterEach(() => {
    process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS = saved;
    vi.restoreAllMocks();
  });

  it('unset progress prints plain lines when stdout is not a TTY; TFJS_PEFT_DISABLE_PROGRESS_BARS=1 or progress: false silences it', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    delete process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS;
    expect(progressByDefault()).toBe(true);
    const { progress: _, ...opts } = setup().options; // the fixture passes progress: false
    void _;
    const s = setup({ ...opts, progress: undefined, maxSteps: 4 });
    await s.trainer.train();
    expect(lines.filter((l) => /^train step \d+\/4 \| loss \d/.test(l))).not.toHaveLength(0);
    for (const v of ['1', 'true']) {
      process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS = v;
      expect(progressByDefault()).toBe(false);
    }
    lines.length = 0;
    process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS = '0';
    await setup({ progress: false, maxSteps: 4 }).trainer.train();
    expect(lines.filter((l) => l.startsWith('train step'))).toHaveLength(0);
  });
});
