/**
 * The LayerNorm paper's analyses on a classification task (the embedded SpamAssassin slice by default, or a GLUE task): which BERT components change most in full
 * fine-tuning, the diagonal Fisher of LayerNorm, and ln-tuning restricted to the top 100/50/20/10/5 %
 * of LayerNorm elements by Fisher (plus the union of per-fold masks and a random mask of the same size).
 *
 *   pnpm --filter @tfjs-peft/example-layernorm-fisher start -- [--task RTE --data ./glue_data | --train a.tsv --dev b.tsv] \
 *     [--model <checkpoint, default: the embedded one>] [--fractions 1,0.5,0.2,0.1,0.05] [--folds 3] \
 *     [--fisher-examples 1000] [--kind empirical|true] [--scope global|per-layer] [--max-steps 300] [--out dir]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { initBackend, readCheckpointWeights, formatBytes, type BackendChoice, type Module } from '@tfjs-peft/core';
import { BertTokenizer } from '@tfjs-peft/models/bert';
import { PeftModel } from '@tfjs-peft/adapters';
import { loadGlue, loadTsvClassification, type GlueSplit } from '@tfjs-peft/datasets';
import { accuracy } from '@tfjs-peft/metrics';
import {
  flatWeights,
  parameterChange,
  changeByComponent,
  changeByLayer,
  selectTopK,
  unionMasks,
  maskCount,
  toLnTuningMasks,
  type FisherResult,
  type FisherKind,
  type FlatWeights,
  type ParameterMasks,
} from '@tfjs-peft/fisher';
import { renderSvg, renderPng, componentChangeSpec, layerComponentChangeSpec, layerNormHeatmapSpec, fractionCurveSpec, type VegaLiteSpec } from '@tfjs-peft/fisher/plot';
import { runMethod, learningRateFor, type RunResult } from '@tfjs-peft/example-shared';
import { defineCli, runMain } from '@tfjs-peft/example-shared/cli';
import { TRAINING_OPTIONS, backendOption, trainingSettings } from '@tfjs-peft/example-shared/options';
import { EMBEDDED_MODEL, EMBEDDED_DATA, sharedGlueDir } from './embedded';
import { fisherOf, folds } from './fisher-runs';

export interface FisherExampleResult {
  task: string;
  ranking: { component: string; relative: number; meanAbs: number; l2: number }[];
  rows: { label: string; fraction: number; selected: number; total: number; metric: number; run: RunResult; effectiveTrainablePercent: number }[];
  full: RunResult;
  out: string;
}

async function plot(out: string, name: string, spec: VegaLiteSpec): Promise<void> {
  await writeFile(`${out}/${name}.svg`, await renderSvg(spec));
  await writeFile(`${out}/${name}.png`, await renderPng(spec));
}

/** Base weights named like the fine-tuned model (a bare BertModel checkpoint gets the `bert.` prefix). */
function alignBase(base: FlatWeights, tuned: FlatWeights): FlatWeights {
  const hits = [...base.keys()].filter((k) => tuned.has(k)).length;
  if (hits > 0) return base;
  return new Map([...base].map(([k, v]) => [`bert.${k}`, v]));
}

function randomMasks(like: ParameterMasks, count: number, seed: number): ParameterMasks {
  const names = [...like.keys()];
  const flat = names.flatMap((n) => Array.from(like.get(n)!, (_, i) => [n, i] as const));
  let s = seed;
  for (let i = flat.length - 1; i > 0; i--) {
    s = (s * 16807) % 2147483647;
    const j = s % (i + 1);
    [flat[i], flat[j]] = [flat[j]!, flat[i]!];
  }
  const out: ParameterMasks = new Map(names.map((n) => [n, new Uint8Array(like.get(n)!.length)]));
  for (const [n, i] of flat.slice(0, count)) out.get(n)![i] = 1;
  return out;
}

export const LAYERNORM_FISHER_CLI = defineCli({
  command: 'pnpm --filter @tfjs-peft/example-layernorm-fisher start --',
  summary:
    'Which BERT components change most in full fine-tuning, the diagonal Fisher of LayerNorm, and ln-tuning restricted to the top fractions of LayerNorm elements by Fisher (plus a fold union and a random mask), on a TSV task (the embedded SpamAssassin slice by default) or a GLUE task.',
  options: {
    task: { type: 'string', help: 'a GLUE task instead of the TSV files (CoLA, SST-2, MRPC, QQP, STS-B, MNLI, QNLI, RTE, WNLI)', value: 'name' },
    data: { type: 'string', help: 'the glue_data folder for --task', defaultLabel: '../shared/data/glue beside the repository, when there', value: 'folder' },
    train: {
      type: 'string',
      help: 'training TSV (header; label + text or sentence columns)',
      default: `${EMBEDDED_DATA}/train.tsv`,
      defaultLabel: 'the embedded SpamAssassin train.tsv',
      value: 'file',
    },
    dev: { type: 'string', help: 'dev TSV, same columns and labels', default: `${EMBEDDED_DATA}/dev.tsv`, defaultLabel: 'the embedded SpamAssassin dev.tsv', value: 'file' },
    model: { type: 'string', help: 'HF BERT checkpoint folder', default: EMBEDDED_MODEL, defaultLabel: 'the embedded bert-tiny-tfjs-peft', value: 'folder' },
    fractions: { type: 'string', help: 'fractions of LayerNorm elements to tune, by Fisher, each in (0, 1]', default: '1,0.5,0.2,0.1,0.05', value: 'list' },
    folds: { type: 'string', help: 'folds of the Fisher examples whose top masks are united', default: '3', value: 'k' },
    'union-fraction': { type: 'string', help: 'the fraction of each fold mask and of the random mask', default: '0.1', value: 'f' },
    'fisher-examples': { type: 'string', help: 'training examples the Fisher is computed on', default: '1000', value: 'n' },
    kind: { type: 'string', help: "Fisher from the labels (empirical) or from the model's own predictions (true)", default: 'empirical', value: 'empirical|true' },
    scope: { type: 'string', help: 'top-k over all LayerNorm elements (global) or within each layer (per-layer)', default: 'global', value: 'global|per-layer' },
    ...TRAINING_OPTIONS,
    backend: backendOption('wasm'),
    out: { type: 'string', help: 'folder for results.md, results.json and the plots', default: './runs/layernorm-fisher', value: 'folder' },
    'no-progress': { type: 'boolean', help: 'no progress bars (training: plain lines in a log), none for the Fisher passes either', default: false },
  },
});

export async function main(argv: string[]): Promise<FisherExampleResult> {
  const { values: a } = LAYERNORM_FISHER_CLI.parse(argv);
  if (a.kind !== 'empirical' && a.kind !== 'true') throw new Error(`--kind must be empirical or true, got ${a.kind}`);
  if (a.scope !== 'global' && a.scope !== 'per-layer') throw new Error(`--scope must be global or per-layer, got ${a.scope}`);
  const fractions = a.fractions!.split(',').map(Number);
  for (const f of fractions) if (!(f > 0 && f <= 1)) throw new Error(`--fractions: ${f} is not in (0, 1]`);
  const kind = a.kind as FisherKind;
  const seed = Number(a.seed);
  const out = a.out!;
  await mkdir(out, { recursive: true });
  const backend = await initBackend(a.backend as BackendChoice);
  const tokenizer = await BertTokenizer.fromPretrained(a.model!);
  let train: GlueSplit;
  let dev: GlueSplit;
  let metrics: ((p: number[], r: number[]) => Record<string, number>) | undefined;
  if (a.task) {
    // a GLUE task from a glue_data folder
    const data = a.data ?? sharedGlueDir();
    if (!data) throw new Error('--task needs --data <glue_data folder> (../shared/data/glue was not found beside the repository)');
    train = await loadGlue(data, a.task, 'train');
    dev = await loadGlue(data, a.task, train.task === 'MNLI' ? 'dev_matched' : 'dev');
  } else {
    // a TSV classification task: by default the embedded SpamAssassin slice
    train = await loadTsvClassification(a.train!, { name: a.train === `${EMBEDDED_DATA}/train.tsv` ? 'SpamAssassin' : 'train' });
    dev = await loadTsvClassification(a.dev!, { name: train.task, labelNames: train.labelNames! });
    metrics = (p, r) => ({ accuracy: accuracy(p, r) });
  }
  if (a['train-limit']) train.examples = train.examples.slice(0, Number(a['train-limit']));
  const regression = train.labelNames == null;
  console.log(`${a.task ? 'GLUE ' : ''}${train.task}: ${train.examples.length} train, ${dev.examples.length} dev; backend ${backend.name}; model ${a.model}`);
  const common = {
    modelDir: a.model!,
    tokenizer,
    train,
    dev,
    ...trainingSettings(a),
    evalEvery: 0,
    outputDir: out,
    progress: !a['no-progress'],
    metrics,
  };
  // per-method learning rates; small models (hidden ≤ 256, like the embedded one) get SMALL_MODEL_LR
  const hidden = (JSON.parse(await readFile(`${a.model}/config.json`, 'utf8')) as { hidden_size?: number }).hidden_size ?? 768;
  const lrFor = (method: string) => (a.lr ? Number(a.lr) : learningRateFor(method, 'auto', hidden));
  const fisherExamples = train.examples.slice(0, Number(a['fisher-examples']));
  const k = Number(a.folds);

  // 1. full fine-tuning; the change of every component; the Fisher of the fine-tuned model, on all and per fold
  console.log('\n== full fine-tuning');
  let tuned: FlatWeights = new Map();
  let tunedModel!: Module; // its describe() names the component of each parameter
  let fisher!: FisherResult;
  const foldFisher: FisherResult[] = [];
  const full = await runMethod({
    ...common,
    method: 'full',
    lr: lrFor('full'),
    onTrained: async (m) => {
      tuned = await flatWeights(m);
      tunedModel = m instanceof PeftModel ? m.base_model : m;
      const model = m;
      const fo = { kind, maxLength: common.maxLength, seed, regression, progress: !a['no-progress'] };
      fisher = await fisherOf(model, tokenizer, fisherExamples, { ...fo, label: `Fisher (${kind})` });
      for (const [i, part] of folds(fisherExamples, k, seed).entries()) foldFisher.push(await fisherOf(model, tokenizer, part, { ...fo, label: `Fisher fold ${i + 1}/${k}` }));
    },
  });
  const metricName = Object.keys(full.metrics)[0]!;
  const base = alignBase(await flatWeights(await readCheckpointWeights(a.model!)), tuned);
  const change = parameterChange(base, tuned, tunedModel);
  const ranking = changeByComponent(change, 'relative');
  const lines: string[] = [];
  const say = (s = '') => (console.log(s), lines.push(s));
  say(`## ${train.task}: change by component after full fine-tuning (${full.metrics[metricName]!.toFixed(4)} dev ${metricName}, ${common.maxSteps} steps)`);
  say();
  say('| rank | component | ‖Δθ‖/‖θ‖ | mean abs Δθ | ‖Δθ‖ | tensors |');
  say('|---|---|---|---|---|---|');
  ranking.forEach((g, i) => say(`| ${i + 1} | ${g.key} | ${g.relative.toExponential(3)} | ${g.meanAbs.toExponential(3)} | ${g.l2.toExponential(3)} | ${g.tensors} |`));
  const top = ranking.filter((g) => g.key !== 'classifier' && g.key !== 'pooler')[0]!;
  say();
  say(`Most changed encoder component (relative): ${top.key}${top.key === 'output.LayerNorm' ? ' — as the paper reports' : ' — the paper reports output.LayerNorm'}.`);
  await plot(out, 'component-change', componentChangeSpec(ranking, { title: `${train.task}: relative change by component (full fine-tuning)` }));
  await plot(out, 'layer-component-change', layerComponentChangeSpec(changeByLayer(change), { title: `${train.task}: ‖Δθ‖/‖θ‖ by layer and component` }));
  const lnDelta = new Map(
    [...tuned].filter(([n]) => /LayerNorm\.(weight|bias)$/.test(n) && base.has(n)).map(([n, t]) => [n, Array.from(t.values, (v, i) => Math.abs(v - base.get(n)!.values[i]!))]),
  );
  await plot(
    out,
    'layernorm-change-heatmap',
    layerNormHeatmapSpec(lnDelta, { title: `${train.task}: |Δ| of LayerNorm γ and β after full fine-tuning`, legend: '|Δ| = |θ after − θ before| (per element)' }),
  );
  await plot(
    out,
    'fisher-heatmap',
    layerNormHeatmapSpec(fisher, { title: `${train.task}: diagonal ${kind} Fisher of LayerNorm (${fisher.examples} examples)`, log: true }), // colour scale: log10 of the diagonal Fisher information (per element)
  );

  // 2. ln-tuning on Fisher-selected subsets
  const rows: FisherExampleResult['rows'] = [];
  const runMasked = async (label: string, fraction: number, masks: ParameterMasks) => {
    const { selected, total } = maskCount(masks);
    console.log(`\n== ln-tuning, ${label}: ${selected} of ${total} LayerNorm elements`);
    const run = await runMethod({ ...common, method: 'ln-tuning', lr: lrFor('ln-tuning'), config: { method: 'ln-tuning', masks: toLnTuningMasks(masks) } });
    // masked-out elements have trainable copies but never change: count only the selected ones (and the head)
    const effective = (100 * (run.trainableParams - (total - selected))) / run.totalParams;
    rows.push({ label, fraction, selected, total, metric: run.metrics[metricName]!, run, effectiveTrainablePercent: effective });
  };
  for (const f of fractions) await runMasked(`Fisher top ${f * 100}%`, f, selectTopK(fisher, f, { scope: a.scope as 'global' | 'per-layer' }));
  const uf = Number(a['union-fraction']);
  const union = unionMasks(foldFisher.map((ff) => selectTopK(ff, uf, { scope: a.scope as 'global' | 'per-layer' })));
  await runMasked(`union of ${k} fold masks at ${uf * 100}%`, maskCount(union).selected / maskCount(union).total, union);
  const ref = selectTopK(fisher, uf);
  await runMasked(`random ${uf * 100}%`, uf, randomMasks(ref, maskCount(ref).selected, seed));

  say();
  say(`## ${train.task}: ln-tuning on Fisher-selected LayerNorm subsets (dev ${metricName}; full fine-tuning: ${full.metrics[metricName]!.toFixed(4)})`);
  say();
  say(`| LayerNorm subset | elements | dev ${metricName} | trainable % (selected + head) | peak tensor memory | wall s |`);
  say('|---|---|---|---|---|---|');
  for (const r of rows)
    say(
      `| ${r.label} | ${r.selected} / ${r.total} | ${r.metric.toFixed(4)} | ${r.effectiveTrainablePercent.toFixed(4)}% | ${formatBytes(r.run.peakBytes)} | ${(r.run.wallMs / 1000).toFixed(1)} |`,
    );
  await plot(
    out,
    'fraction-curve',
    fractionCurveSpec(
      [
        ...rows.filter((r) => r.label.startsWith('Fisher')).map((r) => ({ fraction: r.fraction, metric: r.metric, series: 'Fisher top-k' })),
        ...rows
          .filter((r) => !r.label.startsWith('Fisher'))
          .map((r) => ({ fraction: r.fraction, metric: r.metric, series: r.label.startsWith('union') ? 'fold union' : 'random' })),
        ...fractions.map((f) => ({ fraction: f, metric: full.metrics[metricName]!, series: 'full fine-tuning' })),
      ],
      { title: `${train.task}: dev ${metricName} against the LayerNorm fraction tuned`, metric: `dev ${metricName}` },
    ),
  );
  await writeFile(`${out}/results.md`, `${lines.join('\n')}\n`);
  await writeFile(
    `${out}/results.json`,
    JSON.stringify({ task: train.task, ranking, full: full.metrics, rows: rows.map(({ run, ...r }) => ({ ...r, wallMs: run.wallMs })) }, null, 2),
  );
  console.log(
    `\nwrote ${out}/results.md, results.json and the plots (component-change, layer-component-change, layernorm-change-heatmap, fisher-heatmap, fraction-curve; .svg and .png)`,
  );
  return { task: train.task, ranking: ranking.map((g) => ({ component: g.key, relative: g.relative, meanAbs: g.meanAbs, l2: g.l2 })), rows, full, out };
}

runMain(import.meta.url, main);
