import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Runs `installNodeWebGPU()` twice in a fresh Node process (Dawn's native stderr is only visible there). */
function runInstall(): Promise<{ stdout: string; stderr: string }> {
  const script = [
    `const { installNodeWebGPU } = await import(${JSON.stringify(pathToFileURL(join(HERE, 'node-webgpu.ts')).href)});`,
    'const a = await installNodeWebGPU();',
    'const b = await installNodeWebGPU();',
    "process.stdout.write(JSON.stringify([a, b]) + '\\n');",
    'process.exit(0);',
  ].join('\n');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(HERE, '../..'), timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(error) : resolve({ stdout: String(stdout), stderr: String(stderr) }),
    ),
  );
}

describe('installNodeWebGPU in Node', () => {
  it("prints nothing: Dawn's adapter-discovery warnings (Couldn't load Vulkan) go into the reason, not to stderr", async () => {
    const { stdout, stderr } = await runInstall();
    expect(stderr).not.toMatch(/Couldn't load Vulkan|BackendVk\.cpp/);
    const [first, second] = JSON.parse(stdout.trim().split('\n').pop()!) as { installed: boolean; reason?: string; warnings?: string[] }[];
    expect(second).toEqual(first); // the probe's answer is kept
    if (!first!.installed) {
      expect(first!.reason).toMatch(/webgpu|requestAdapter/);
      // where Dawn said why (no libvulkan here), its words are in the reason
      for (const w of first!.warnings ?? []) expect(first!.reason).toContain(w);
    }
  }, 150_000);
});
