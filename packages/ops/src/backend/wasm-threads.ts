/**
 * Multi-threaded wasm in Node.
 *
 * `@tensorflow/tfjs-backend-wasm` ships a threaded SIMD build (XNNPACK on a pthreadpool of Web
 * Workers) but never uses it in Node, for three reasons this module removes while the backend
 * starts, and only then:
 *
 * 1. its `WASM_HAS_MULTITHREAD_SUPPORT` flag answers `false` whenever `IS_NODE` (tfjs issue 3830);
 * 2. the Emscripten glue starts each pthread with `new Worker(blobUrl)` and has the worker
 *    `importScripts(blob)`; Node's `worker_threads.Worker` accepts neither (ERR_WORKER_PATH). A
 *    `Worker` stand-in starts each worker from the package's own worker script
 *    (`wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`, which has Node support) and points it
 *    at the package's main script file instead of a Blob;
 * 3. the C++ side caps the pool at `emscripten_num_logical_cores() / 2` (= `os.cpus().length / 2`
 *    in Node), i.e. one thread on a 2-core machine. `os.cpus` answers `2 × threads` entries for the
 *    moment the module instantiates, so the cap becomes the requested count.
 *
 * Everything is restored once `tf.setBackend('wasm')` has settled. Browsers need none of this:
 * tfjs uses the threaded build there by itself when the page is cross-origin isolated
 * (COOP/COEP headers).
 */

type NodeWorkerCtor = new (
  code: string,
  options: { eval: true; execArgv: string[] },
) => {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
};

interface Restorer {
  restore(): void;
}

/** Node's default thread count: the cores this process may use (at most 8, XNNPACK's pool). */
export async function defaultWasmThreads(): Promise<number> {
  const os = await import('node:os');
  return Math.max(1, Math.min(8, (os as { availableParallelism?: () => number }).availableParallelism?.() ?? os.cpus().length));
}

/**
 * Prepares the threaded build for `threads` pool threads (2–8). Call after importing
 * `@tensorflow/tfjs-backend-wasm` and before `tf.setBackend('wasm')`; call `restore()` once that has
 * settled. Throws when the package's `wasm-out` scripts cannot be found.
 */
export async function prepareNodeWasmThreads(
  threads: number,
  tf: { env(): { set(flag: string, value: boolean): void } },
  wasm: { setThreadsCount(n: number): void },
): Promise<Restorer> {
  const [{ Worker: NodeWorker }, { createRequire }, osNamespace] = await Promise.all([import('node:worker_threads'), import('node:module'), import('node:os')]);
  // this module's own location, where the peer resolves from. Only `import.meta.url`: tsup shims it in
  // the CJS build, while naming `__filename` here would put tsup's `fileURLToPath(import.meta.url)`
  // shim at the top of the shared ESM chunk, which throws in browsers (no `node:url`) before any code runs
  const require = createRequire(import.meta.url);
  const dir = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';
  const mainScript = require.resolve(`${dir}.js`);
  // the Emscripten worker as tfjs inlines it (newlines escaped the same way tfjs does for its Blob)
  const workerSource = (require(`${dir}.worker.js`) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  const Base = NodeWorker as unknown as NodeWorkerCtor;

  /** What Emscripten gets for `new Worker(blobUrl)`: the same worker script, started the Node way. */
  class PthreadWorker extends Base {
    constructor() {
      // a CommonJS script: the parent's --input-type=module (node -e with ESM) must not reach it
      super(workerSource, { eval: true, execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) });
    }
    override postMessage(message: unknown, transfer?: readonly unknown[]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown };
      // the main script as a file the worker's importScripts can read, not a Blob
      super.postMessage(m?.cmd === 'load' && typeof m.urlOrBlob !== 'string' ? { ...m, urlOrBlob: mainScript } : message, transfer);
    }
  }

  const g = globalThis as Record<string, unknown>;
  const previous = Object.getOwnPropertyDescriptor(g, 'Worker');
  // Emscripten assigns `global.Worker = worker_threads.Worker` and then calls `new Worker(...)`.
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => undefined });
  // the module object itself (what `require('os')` returns inside the Emscripten glue), not the ESM namespace
  const os = ((osNamespace as { default?: unknown }).default ?? osNamespace) as { cpus: () => unknown[] };
  const realCpus = os.cpus;
  os.cpus = () => {
    const one = realCpus.call(os)[0];
    return Array.from({ length: 2 * threads }, () => one);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  return {
    restore() {
      os.cpus = realCpus;
      if (previous) Object.defineProperty(g, 'Worker', previous);
      else delete g.Worker;
    },
  };
}

/**
 * The pool's pthreads wait for work forever, and Emscripten keeps a running pthread's worker
 * referenced, so a Node process would never exit. The main thread waits for the pool inside every
 * kernel, so nothing is running when the event loop empties: the workers may be unreferenced.
 */
export function unrefWasmPthreads(backend: unknown): void {
  const pthread = (backend as { wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: { unref?: () => void }[] } } }).wasm?.PThread;
  for (const w of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])]) w.unref?.();
}
