/**
 * The page: a form for the job, live progress and charts, results and the adapter download.
 * Every field can also come from the URL (`?backend=wasm&method=lora&steps=20&autorun=1`), so a
 * run can be linked to, and the end-to-end test drives the page that way.
 */
import { MemoryFolder, type FileLocation } from '@tfjs-peft/core';
import { zipSync } from 'fflate';
import { startBackend, type PageBackend } from './backend';
import { LiveChart } from './charts';
import { runJob, type JobResult, type JobSpec, type PageMethod } from './job';

/** What the page exposes for automation (and for the curious, in the console). */
export interface PageState {
  state: 'idle' | 'running' | 'done' | 'error';
  backend?: string;
  notice?: string | null;
  result?: Omit<JobResult, 'adapter'> & { adapterFiles: string[] };
  error?: string;
}
declare global {
  interface Window {
    tfjsPeftPage: PageState;
  }
}
window.tfjsPeftPage = { state: 'idle' };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const params = new URLSearchParams(location.search);
const embedded = (p: string) => new URL(`embedded/${p}`, location.href).href;

/** Small-model learning rates (the embedded checkpoint is 2 × 128), as the Node demo uses. */
const DEFAULT_LR: Record<PageMethod, number> = { 'ln-tuning': 3e-3, lora: 2e-3 };

function fillForm(): void {
  const set = (id: string, key: string, fallback: string) => {
    input(id).value = params.get(key) ?? fallback;
  };
  set('model-url', 'model', embedded('bert-tiny-tfjs-peft'));
  set('train-url', 'train', embedded('spam-assassin/train.tsv'));
  set('dev-url', 'dev', embedded('spam-assassin/dev.tsv'));
  set('train-limit', 'trainLimit', '512');
  set('dev-limit', 'devLimit', '200');
  set('steps', 'steps', '60');
  set('batch-size', 'batchSize', '16');
  set('max-length', 'maxLength', '64');
  set('lr', 'lr', '');
  set('eval-every', 'evalEvery', '20');
  $<HTMLSelectElement>('method').value = params.get('method') ?? 'ln-tuning';
  $<HTMLSelectElement>('backend').value = params.get('backend') ?? 'auto';
}

function checked(name: string): string {
  return (document.querySelector(`input[name="${name}"]:checked`) as HTMLInputElement).value;
}

function readSpec(): JobSpec {
  const num = (id: string) => {
    const v = Number(input(id).value);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${id}: expected a number ≥ 0, got "${input(id).value}"`);
    return v;
  };
  let model: FileLocation = input('model-url').value.trim();
  if (checked('model-source') === 'folder') {
    const files = input('model-folder').files;
    if (!files?.length) throw new Error('checkpoint: pick a folder (config.json, model.safetensors, tokenizer files)');
    model = MemoryFolder.fromFiles(files);
  }
  let train: FileLocation = input('train-url').value.trim();
  let dev: FileLocation = input('dev-url').value.trim();
  if (checked('data-source') === 'files') {
    const t = input('train-file').files?.[0];
    const d = input('dev-file').files?.[0];
    if (!t || !d) throw new Error('data: pick a train and a dev TSV file');
    const folder = new MemoryFolder('picked data').set('train.tsv', t).set('dev.tsv', d);
    train = folder.root().join('train.tsv');
    dev = folder.root().join('dev.tsv');
  }
  const method = $<HTMLSelectElement>('method').value as PageMethod;
  const lrText = input('lr').value.trim();
  return {
    model,
    train,
    dev,
    method,
    steps: Math.max(1, num('steps')),
    batchSize: Math.max(1, num('batch-size')),
    maxLength: Math.max(8, num('max-length')),
    learningRate: lrText ? Number(lrText) : DEFAULT_LR[method],
    trainLimit: num('train-limit'),
    devLimit: num('dev-limit'),
    evalEvery: num('eval-every'),
    seed: Number(params.get('seed') ?? 42),
  };
}

const lossChart = new LiveChart($('loss-chart'), 'training loss', 'loss');
const metricChart = new LiveChart($('metric-chart'), 'dev metrics', 'score');
let adapterZip: Blob | null = null;

function formatEta(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function showResults(r: JobResult, backend: string, threads: number): void {
  $('results').hidden = false;
  $('backend-line').textContent = `backend: ${backend}${backend === 'wasm' ? ` (${threads} thread${threads > 1 ? 's' : ''})` : ''} · median step ${r.stepMs.toFixed(0)} ms`;
  $('trainable-line').textContent = r.trainable;
  $('metrics-table').innerHTML = `<tr>${Object.keys(r.metrics)
    .map((k) => `<th>${k}</th>`)
    .join('')}</tr><tr>${Object.values(r.metrics)
    .map((v) => `<td>${v.toFixed(4)}</td>`)
    .join('')}</tr>`;
  const rows = r.probe.texts.map((t, i) => {
    const l = r.probe.logits[i]!;
    const text = t.length > 90 ? `${t.slice(0, 90)}…` : t;
    return `<tr><td>${text.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</td><td>${l.map((v) => v.toFixed(3)).join(', ')}</td><td>${l.indexOf(Math.max(...l))}</td></tr>`;
  });
  $('probe-table').innerHTML = `<tr><th>text</th><th>logits</th><th>class</th></tr>${rows.join('')}`;
}

async function setDownloads(adapter: MemoryFolder): Promise<void> {
  const files: Record<string, Uint8Array> = {};
  for (const p of adapter.paths()) files[p] = await adapter.read(p);
  adapterZip = new Blob([zipSync(files)], { type: 'application/zip' });
  const link = (id: string, name: string) => {
    const a = $<HTMLAnchorElement>(id);
    if (files[name]) a.href = URL.createObjectURL(new Blob([files[name]!.slice()]));
    a.hidden = !files[name];
  };
  link('download-config', 'adapter_config.json');
  link('download-weights', 'adapter_model.safetensors');
}

$('download-zip').addEventListener('click', () => {
  if (!adapterZip) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(adapterZip);
  a.download = 'tfjs-peft-adapter.zip';
  a.click();
});

async function train(): Promise<void> {
  const page = window.tfjsPeftPage;
  $('error').hidden = true;
  $('results').hidden = true;
  $<HTMLButtonElement>('train').disabled = true;
  lossChart.clear();
  metricChart.clear();
  Object.assign(page, { state: 'running', result: undefined, error: undefined });
  try {
    const spec = readSpec();
    $('status').textContent = 'starting the backend…';
    const { info, notice } = await startBackend($<HTMLSelectElement>('backend').value as PageBackend);
    page.backend = info.name;
    page.notice = notice;
    $('notice').hidden = notice == null;
    $('notice').textContent = notice ?? '';
    const started = performance.now();
    const result = await runJob(spec, {
      status: (t) => void ($('status').textContent = t),
      step: (log, total) => {
        const elapsed = performance.now() - started;
        const eta = (elapsed / log.step) * (total - log.step);
        $<HTMLProgressElement>('progress').value = log.step / total;
        $('status').textContent =
          `step ${log.step}/${total} · loss ${log.loss.toFixed(4)} · ${log.stepMs.toFixed(0)} ms/step${log.tokensPerSecond ? ` · ${Math.round(log.tokensPerSecond)} tokens/s` : ''} · ETA ${formatEta(eta)}`;
        lossChart.add(spec.method, log.step, log.loss);
      },
      evaluated: (step, metrics) => {
        for (const [k, v] of Object.entries(metrics)) metricChart.add(k, step, v);
      },
    });
    await setDownloads(result.adapter);
    showResults(result, info.name, info.threads);
    $('status').textContent = `done in ${formatEta(performance.now() - started)}`;
    const { adapter, ...rest } = result;
    page.result = { ...rest, adapterFiles: adapter.paths() };
    page.state = 'done';
  } catch (e) {
    const err = e as Error;
    $('error').hidden = false;
    $('error').textContent = `${err.name}: ${err.message}`;
    $('status').textContent = 'failed';
    page.error = `${err.name}: ${err.message}\n${err.stack ?? ''}`;
    page.state = 'error';
  } finally {
    $<HTMLButtonElement>('train').disabled = false;
  }
}

fillForm();
$('job').addEventListener('submit', (e) => {
  e.preventDefault();
  void train();
});
if (params.get('autorun') === '1') void train();
