/**
 * Property-based mutation of adapter_config.json: valid configs (LoRA, IA3, LN tuning, prompt
 * tuning on tiny BERT) get fields changed (values and types), removed and added, or the whole file
 * replaced. Every outcome must be a clean PeftError naming the file, or a load that gives finite
 * outputs — equal to the unmutated adapter's unless a field that legitimately changes the outputs
 * (lora_alpha, …) was mutated. A TypeError, a raw error or NaN outputs is a crash.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { useBackend } from '@tfjs-peft/ops/testing';
import { MemoryFolder } from '@tfjs-peft/core';
import { applyPeft, loadPeft, PeftError, type MethodConfig } from '../index';
import { FILE_FIELDS } from './peft-config-schema';
import { TOYS, sgd } from '../testing/toy';

const toy = TOYS[0]!;
type Outcome = 'clean error' | 'accepted-equal' | 'accepted-different' | 'crash';
const counts: Record<string, Record<Outcome, number>> = {};
const crashes: string[] = [];

/** fields whose other (valid) values rightly give other outputs */
const EFFECTIVE = new Set([
  'lora_alpha',
  'alpha_pattern',
  'use_rslora',
  'feedforward_modules',
  'rank_pattern',
  'target_modules',
  'exclude_modules',
  'layers_to_transform',
  'layers_pattern',
  'modules_to_save',
  'task_type',
]);

const BASES: [string, MethodConfig][] = [
  ['lora', { method: 'lora', r: 2, loraAlpha: 4, initLoraWeights: false }],
  ['ia3', { method: 'ia3' }],
  ['ln-tuning', { method: 'ln-tuning', targetModules: ['LayerNorm'] }],
  ['prompt-tuning', { method: 'prompt-tuning', numVirtualTokens: 2 }],
];

const VALUES = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    1,
    -1,
    2,
    0.5,
    1.5,
    1e308,
    -1e308,
    1e39,
    '',
    'none',
    'all',
    'yes',
    'LORA',
    'IA3',
    'query',
    '.*',
    '(',
    'all-linear',
    [],
    {},
    ['query'],
    ['value'],
    ['classifier'],
    ['LayerNorm'],
    [1],
    [0],
    [-1],
    { query: 4 },
    { query: 2 },
    { '(': 1 },
    { value: 1e308 },
    'SEQ_CLS',
    'CAUSAL_LM',
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: -5, max: 40 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

type Mutation = { kind: 'delete'; key: number } | { kind: 'set'; key: number; value: unknown } | { kind: 'add'; key: string; value: unknown } | { kind: 'root'; value: unknown };
const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.nat() }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.nat(), value: VALUES }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.string({ maxLength: 12 }), value: VALUES }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('root' as const), value: fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 1 })) }) },
);

/** applies the mutations; `set` picks a key among the file's and every PEFT field of any type */
function mutate(cfg: Record<string, unknown>, ms: Mutation[]): { json: unknown; touched: string[] } {
  let json: unknown = structuredClone(cfg);
  const touched: string[] = [];
  const all = [...new Set([...Object.keys(cfg), ...Object.values(FILE_FIELDS).flatMap((f) => Object.keys(f))])].sort();
  for (const m of ms) {
    if (m.kind === 'root') {
      json = m.value;
      touched.push('(root)');
      continue;
    }
    if (json == null || typeof json !== 'object' || Array.isArray(json)) json = {};
    const o = json as Record<string, unknown>;
    if (m.kind === 'delete') {
      const keys = Object.keys(o);
      if (!keys.length) continue;
      const k = keys[m.key % keys.length]!;
      delete o[k];
      touched.push(k);
    } else {
      const k = m.kind === 'set' ? all[m.key % all.length]! : m.key;
      o[k] = m.value;
      touched.push(k);
    }
  }
  return { json, touched };
}

describe('adapter_config.json mutation (fast-check)', () => {
  beforeAll(() => useBackend('cpu'));
  afterAll(() => {
    const total = Object.values(counts).reduce((a, c) => a + Object.values(c).reduce((x, y) => x + y, 0), 0);
    console.log(
      `adapter_config.json mutation outcomes (${total} runs):\n${Object.entries(counts)
        .map(
          ([b, c]) =>
            `  ${b}: ${Object.entries(c)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`,
        )
        .join('\n')}`,
    );
  });

  for (const [name, config] of BASES) {
    it(`${name}: every mutation is a clean PeftError or loads (equal unless an effective field changed)`, async () => {
      const c = (counts[name] = { 'clean error': 0, 'accepted-equal': 0, 'accepted-different': 0, crash: 0 });
      const inputs = toy.inputs();
      const peft = applyPeft(toy.make(), config);
      await sgd(peft as never, inputs, toy.loss, 1, 0.5); // IA3 / LN tuning start as the base: move them
      const saved = new MemoryFolder('adapter');
      await peft.save(saved);
      peft.dispose();
      const cfg = JSON.parse(new TextDecoder().decode(await saved.read('adapter_config.json'))) as Record<string, unknown>;
      const weights = await saved.read('adapter_model.safetensors');
      const run = async (json: unknown): Promise<{ out?: Float32Array; err?: unknown }> => {
        const folder = new MemoryFolder('adapter').set('adapter_config.json', JSON.stringify(json) ?? 'null').set('adapter_model.safetensors', weights);
        const model = toy.make();
        try {
          const loaded = await loadPeft(model, folder);
          const out = (await toy.output(loaded.forward(inputs)).data()) as Float32Array;
          loaded.dispose();
          return { out };
        } catch (err) {
          model.dispose();
          return { err };
        }
      };
      const ref = await run(cfg);
      expect(ref.err).toBeUndefined();
      await fc.assert(
        fc.asyncProperty(fc.array(MUTATION, { minLength: 1, maxLength: 3 }), async (ms) => {
          const { json, touched } = mutate(cfg, ms);
          const r = await run(json);
          let outcome: Outcome;
          let why = '';
          if (r.err) {
            const msg = (r.err as Error).message ?? '';
            outcome = r.err instanceof PeftError && msg.includes('adapter/') ? 'clean error' : 'crash';
            why = `${(r.err as Error).name}: ${msg.slice(0, 300)}`;
          } else if (!r.out!.every(Number.isFinite)) {
            outcome = 'crash';
            why = 'accepted with non-finite outputs';
          } else {
            const diff = Math.max(...Array.from(r.out!, (v, i) => Math.abs(v - ref.out![i]!)));
            outcome = diff <= 1e-6 ? 'accepted-equal' : 'accepted-different';
            if (outcome === 'accepted-different' && !touched.some((k) => EFFECTIVE.has(k))) {
              outcome = 'crash';
              why = `outputs differ by ${diff} though only ${touched.join(', ')} changed`;
            }
          }
          c[outcome]++;
          if (outcome === 'crash') {
            crashes.push(`${name} ${JSON.stringify(ms)}: ${why}`);
            throw new Error(`${JSON.stringify(json)} → ${why}`);
          }
        }),
        { numRuns: Number(process.env.TFJS_PEFT_MUTATION_RUNS ?? 300), endOnFailure: true },
      );
      expect(c.crash).toBe(0);
      expect(c['clean error']).toBeGreaterThan(0);
      expect(c['accepted-equal']).toBeGreaterThan(0);
    }, 240_000);
  }
});
