/**
 * Makes WebGPU available and describes its adapter. In browsers it only probes `navigator.gpu`.
 * WebGPU in Node comes through the `webgpu` package (Google's Dawn). Installs `navigator.gpu` and the
 * WebGPU globals that `@tensorflow/tfjs-backend-webgpu` expects. Returns false when the package
 * is not installed or no adapter is found; never throws for a missing package.
 */
export interface NodeWebGPUInfo {
  installed: boolean;
  adapter?: { vendor: string; architecture: string; device: string; description: string; isFallback: boolean };
  reason?: string;
  /** what Dawn printed while looking for an adapter (Node), e.g. `Couldn't load Vulkan: libvulkan.so.1: …` */
  warnings?: string[];
}

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

/**
 * Dawn's native code prints its adapter-discovery warnings (`Warning: Couldn't load Vulkan: …`)
 * straight to the process's stderr, which JavaScript cannot redirect. So in Node the first look for
 * an adapter runs in a child process with its stderr captured: when it finds none, Dawn is never
 * loaded here, nothing is printed, and the warning goes into the returned reason instead.
 */
const PROBE_SCRIPT = [
  'const { create } = await import(process.env.TFJS_PEFT_WEBGPU_URL);',
  'const a = await create([]).requestAdapter();',
  "process.stdout.write(JSON.stringify({ adapter: a != null }) + '\\n');",
  'process.exit(0);',
].join('\n');

let probed: Promise<NodeWebGPUInfo | null> | null = null;

/** Dawn's stderr as lines, without its C++ source locations. */
function dawnLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at '));
}

/** `null` when the child found an adapter (or could not run): then Dawn loads in this process. */
async function probeInChild(): Promise<NodeWebGPUInfo | null> {
  let url: string;
  let execFile: typeof import('node:child_process').execFile;
  try {
    const [{ createRequire }, { pathToFileURL }, cp] = await Promise.all([import('node:module'), import('node:url'), import('node:child_process')]);
    execFile = cp.execFile;
    // where this module resolves `webgpu` from; only `import.meta.url` (tsup shims it in the CJS build)
    url = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch (e) {
    return { installed: false, reason: `the "webgpu" package is not installed (${(e as Error).message.split('\n')[0]})` };
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', PROBE_SCRIPT],
      { env: { ...process.env, TFJS_PEFT_WEBGPU_URL: url }, timeout: 60_000, windowsHide: true },
      (error, stdout, stderr) => {
        const warnings = dawnLines(String(stderr));
        let found: boolean | null = null;
        try {
          found = (JSON.parse(String(stdout).trim().split('\n').pop() ?? '') as { adapter: boolean }).adapter;
        } catch {
          found = null;
        }
        if (error != null || found === null) return resolve(null); // could not tell: look in this process
        if (found) return resolve(null);
        const said = warnings.length ? `; Dawn: ${warnings.join(' ')}` : '';
        resolve({ installed: false, reason: `navigator.gpu.requestAdapter() returned null (no Vulkan/Metal/D3D12 driver found)${said}`, warnings });
      },
    );
  });
}

export async function installNodeWebGPU(): Promise<NodeWebGPUInfo> {
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (!isNode && g.navigator?.gpu == null) {
    return { installed: false, reason: 'this browser has no navigator.gpu (WebGPU disabled or unsupported)' };
  }
  if (g.navigator?.gpu == null) {
    const failed = await (probed ??= probeInChild());
    if (failed) return failed;
    let mod: { create(opts: string[]): unknown; globals: Record<string, unknown> };
    try {
      const name = 'webgpu';
      mod = await import(/* @vite-ignore */ name);
    } catch (e) {
      return { installed: false, reason: `the "webgpu" package is not installed (${(e as Error).message.split('\n')[0]})` };
    }
    Object.assign(globalThis, mod.globals);
    if (g.navigator == null) {
      Object.defineProperty(globalThis, 'navigator', { value: {}, writable: true, configurable: true });
    }
    (g.navigator as { gpu?: unknown }).gpu = mod.create([]);
  }
  const gpu = g.navigator!.gpu as { requestAdapter(): Promise<unknown> };
  const adapter = (await gpu.requestAdapter()) as { info?: Record<string, string>; isFallbackAdapter?: boolean } | null;
  if (adapter == null) return { installed: false, reason: 'navigator.gpu.requestAdapter() returned null (no Vulkan/Metal/D3D12 driver found)' };
  const info = adapter.info ?? {};
  const description = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  return {
    installed: true,
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      isFallback: adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(description),
    },
  };
}

/** Lets a Node process exit: Dawn keeps the event loop alive while `navigator.gpu` exists. */
export function releaseNodeWebGPU(): void {
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (isNode && g.navigator?.gpu != null) delete g.navigator.gpu;
}
