import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/**
 * A Python with torch + transformers for live interchange tests: `TFJS_PEFT_PYTHON`, else the
 * repository's `.venv-hf` (which `.ci/run` creates). Returns null with the reason when absent.
 */
export function findHfPython(): { python: string | null; reason: string } {
  const candidates = [process.env.TFJS_PEFT_PYTHON, resolve(REPO_ROOT, '.venv-hf/bin/python')].filter((p): p is string => !!p);
  for (const py of candidates) {
    if (!existsSync(py)) continue;
    const r = spawnSync(py, ['-c', 'import torch, transformers; print(transformers.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python: py, reason: `transformers ${r.stdout.trim()}` };
  }
  return {
    python: null,
    reason: `no Python with torch + transformers (looked at TFJS_PEFT_PYTHON and .venv-hf; create it with: python3 -m venv .venv-hf && .venv-hf/bin/pip install torch transformers peft)`,
  };
}

export function runPython(python: string, script: string, args: string[]): string {
  return execFileSync(python, [script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TRANSFORMERS_VERBOSITY: 'error', HF_HUB_OFFLINE: '1' },
  });
}
