/**
 * Stores a resumable `checkpoint-N/` in 16 bits, for keeping one in a repository: the trainable
 * weights as float16 (`trainable.safetensors`) and the AdamW moments as bfloat16
 * (`optimizer.safetensors`: the second moment reaches 1e-12, below float16's range). The trainer
 * loads either width, so `--resume` works on the compacted copy unchanged; the run then continues
 * from the 16-bit-rounded state (deterministically, but not bit-identically to resuming the float32
 * original).
 *
 *   pnpm --filter @tfjs-peft/example-pretrain-mlm exec tsx src/compact-checkpoint.ts <checkpoint-N> <out-folder>
 */
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { floatToBf16, floatToHalf, parseSafetensors, rawToTypedArray, serializeSafetensors, writeFileAtomic, type RawTensor } from '@tfjs-peft/core';
import { runMain } from '@tfjs-peft/example-shared/cli';

function narrow(file: string, bytes: Uint8Array, to: 'F16' | 'BF16'): Uint8Array {
  const f = parseSafetensors(bytes, file);
  const out = new Map<string, RawTensor>();
  for (const [name, t] of f.tensors) {
    if (t.dtype !== 'F32') {
      out.set(name, t);
      continue;
    }
    const x = rawToTypedArray(t, name) as Float32Array;
    const h = new Uint16Array(x.length);
    const conv = to === 'F16' ? floatToHalf : floatToBf16;
    for (let i = 0; i < x.length; i++) {
      h[i] = conv(x[i]!);
      if (to === 'F16' && Number.isFinite(x[i]!) && (h[i]! & 0x7c00) === 0x7c00)
        throw new RangeError(`${file}: "${name}" holds ${x[i]}, outside float16's range; keep this checkpoint in float32`);
    }
    out.set(name, { dtype: to, shape: t.shape, bytes: new Uint8Array(h.buffer) });
  }
  return serializeSafetensors(out, f.metadata);
}

export async function compactCheckpoint(src: string, dst: string): Promise<void> {
  const tmp = `${dst}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeFileAtomic(join(tmp, 'trainable.safetensors'), narrow('trainable.safetensors', await readFile(join(src, 'trainable.safetensors')), 'F16'));
  await writeFileAtomic(join(tmp, 'optimizer.safetensors'), narrow('optimizer.safetensors', await readFile(join(src, 'optimizer.safetensors')), 'BF16'));
  await copyFile(join(src, 'trainer_state.json'), join(tmp, 'trainer_state.json'));
  // the old copy goes only once the new one is complete
  await rm(`${dst}.old`, { recursive: true, force: true });
  await rename(dst, `${dst}.old`).catch(() => undefined);
  await rename(tmp, dst);
  await rm(`${dst}.old`, { recursive: true, force: true });
}

runMain(import.meta.url, async (argv: string[]) => {
  const [src, dst] = argv;
  if (!src || !dst) throw new Error('usage: compact-checkpoint.ts <checkpoint-N folder> <out folder>');
  await compactCheckpoint(src, dst);
  console.log(`${src} → ${dst} (weights F16, moments BF16)`);
});
