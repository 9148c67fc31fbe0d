/**
 * Runs the page in headless Chromium from a terminal and prints what it did:
 *   pnpm --filter @tfjs-peft/example-browser e2e -- --backend webgpu --method lora --steps 20
 * Any page parameter can be passed as --name value (see the README); --screenshot page.png saves the page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAndServe, runPage } from './page-driver';

const args = process.argv.slice(2).filter((a) => a !== '--');
const query: Record<string, string> = {};
for (let i = 0; i < args.length; i += 2) query[args[i]!.replace(/^--/, '')] = args[i + 1] ?? '';
const screenshot = query.screenshot;
delete query.screenshot;
const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-page-'));
const server = await buildAndServe(out);
try {
  const t0 = performance.now();
  const r = await runPage(server.url, query, { screenshot });
  console.log(
    `page ${server.url} · ${((performance.now() - t0) / 1000).toFixed(1)} s · state ${r.state.state} · backend ${r.state.backend}${r.state.notice ? ` · notice: ${r.state.notice}` : ''}`,
  );
  if (r.state.result) {
    const res = r.state.result;
    console.log(`losses: ${res.losses.map((l) => l.toFixed(3)).join(' ')}`);
    console.log(`metrics: ${JSON.stringify(res.metrics)} · median step ${res.stepMs.toFixed(0)} ms · ${res.trainable}`);
    console.log(`adapter files: ${res.adapterFiles.join(', ')} · zip ${r.download?.byteLength ?? 0} bytes`);
  }
  if (r.state.error) console.log(r.state.error);
  if (r.state.state !== 'done') console.log(r.console.join('\n'));
} finally {
  await server.close();
  await rm(out, { recursive: true, force: true });
}
