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
}

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

export async function installNodeWebGPU(): Promise<NodeWebGPUInfo> {
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (!isNode && g.navigator?.gpu == null) {
    return { installed: false, reason: 'this browser has no navigator.gpu (WebGPU disabled or unsupported)' };
  }
  if (g.navigator?.gpu == null) {
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
