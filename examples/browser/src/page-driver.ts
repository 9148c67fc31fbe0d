/**
 * Drives the built page in headless Chromium (playwright-core with the system's chromium, WebGPU
 * through SwiftShader when no GPU is present). Used by the end-to-end test and by
 * `pnpm --filter @tfjs-peft/example-browser e2e` to run the page from a terminal.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PageState } from './main';

export const PAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The chromium to drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium; null when neither exists. */
export function findChromium(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((x): x is string => !!x)) if (existsSync(p)) return p;
  return null;
}

/** Flags for headless WebGPU on SwiftShader (ENVIRONMENT.md); harmless where a real GPU exists. */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** Builds the page (vite build into `outDir`) and serves it with `vite preview` on a free port. */
export async function buildAndServe(outDir: string): Promise<PageServer> {
  const { build, preview } = await import('vite');
  await build({ root: PAGE_ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root: PAGE_ROOT, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return { url, close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())) };
}

export interface PageRun {
  state: PageState;
  /** the zip the page's download button produced */
  download: Uint8Array | null;
  /** the fallback notice as the user sees it (null when hidden) */
  visibleNotice: string | null;
  console: string[];
}

/** Launches headless Chromium, opens `url` and runs `fn` on the page; collects the console into `log`. */
export async function withPage<T>(
  url: string,
  fn: (page: import('playwright-core').Page, log: string[]) => Promise<T>,
  options: { chromium?: string; /** as a browser without WebGPU: navigator.gpu is undefined */ hideWebGPU?: boolean } = {},
): Promise<T> {
  const { chromium } = await import('playwright-core');
  const executablePath = options.chromium ?? findChromium();
  if (!executablePath) throw new Error('no chromium found (set CHROMIUM_PATH or install Debian chromium)');
  const userDir = await mkdtemp(join(tmpdir(), 'tfjs-peft-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath,
    headless: true,
    ignoreDefaultArgs: ['--headless'],
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
  });
  const log: string[] = [];
  try {
    if (options.hideWebGPU) await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
    const page = await context.newPage();
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
    await page.goto(url);
    return await fn(page, log);
  } finally {
    await context.close();
    await rm(userDir, { recursive: true, force: true });
  }
}

/**
 * Opens the training page with `query` (autorun, or `prepare` then "Train"), waits until it is
 * done or failed, clicks "Download adapter (.zip)" and returns the page's state, the downloaded
 * bytes and its console.
 */
export async function runPage(
  url: string,
  query: Record<string, string | number>,
  options: {
    timeoutMs?: number;
    chromium?: string;
    hideWebGPU?: boolean;
    /** fills the form (pickers, radios) before "Train" is clicked; without it the URL's autorun starts the job */
    prepare?: (page: import('playwright-core').Page) => Promise<void>;
    /** a PNG of the whole page when it is done */
    screenshot?: string;
  } = {},
): Promise<PageRun> {
  const qs = new URLSearchParams(Object.entries(options.prepare ? query : { ...query, autorun: 1 }).map(([k, v]) => [k, String(v)]));
  return withPage(
    `${url}?${qs}`,
    async (page, log) => {
      if (options.prepare) {
        await options.prepare(page);
        await page.click('#train');
      }
      await page.waitForFunction(() => ['done', 'error'].includes(window.tfjsPeftPage?.state), null, { timeout: options.timeoutMs ?? 300_000, polling: 500 });
      const state = (await page.evaluate(() => window.tfjsPeftPage)) as PageState;
      const visibleNotice = (await page.isVisible('#notice')) ? await page.textContent('#notice') : null;
      if (options.screenshot) await page.screenshot({ path: options.screenshot, fullPage: true });
      let download: Uint8Array | null = null;
      if (state.state === 'done') {
        const [d] = await Promise.all([page.waitForEvent('download'), page.click('#download-zip')]);
        download = new Uint8Array(await readFile(await d.path()));
      }
      return { state, download, visibleNotice, console: log };
    },
    options,
  );
}
