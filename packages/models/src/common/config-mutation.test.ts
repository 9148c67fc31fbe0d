import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ConfigError, SUPPORTED_ACTIVATIONS, setConfigLabel, type RawConfig } from './config';
import { PARSERS } from '../testing/config-fixtures';

type Outcome = 'clean error' | 'accepted-equal' | 'accepted-different' | 'crash';

/** Invariants every accepted config must hold (what the models assume). */
function invariantViolation(parsed: unknown, path = ''): string | null {
  if (parsed === null || typeof parsed !== 'object') return null;
  const o = parsed as Record<string, unknown>;
  const posInt = [
    'vocabSize',
    'hiddenSize',
    'numHiddenLayers',
    'numAttentionHeads',
    'intermediateSize',
    'maxPositionEmbeddings',
    'encoderHiddenSize',
    'numLabels',
    'imageSize',
    'patchSize',
    'numChannels',
  ];
  for (const k of posInt) if (k in o && !(Number.isSafeInteger(o[k]) && (o[k] as number) >= 1)) return `${path}${k} = ${o[k]}`;
  for (const k of ['hiddenDropoutProb', 'attentionProbsDropoutProb', 'attentionDropout', 'labelSmoothing']) {
    if (k in o && !((o[k] as number) >= 0 && (o[k] as number) < 1)) return `${path}${k} = ${o[k]}`;
  }
  if ('layerNormEps' in o && !((o.layerNormEps as number) > 0 && Number.isFinite(o.layerNormEps))) return `${path}layerNormEps = ${o.layerNormEps}`;
  if ('hiddenAct' in o && !(SUPPORTED_ACTIVATIONS as readonly unknown[]).includes(o.hiddenAct)) return `${path}hiddenAct = ${o.hiddenAct}`;
  if ('hiddenSize' in o && 'numAttentionHeads' in o && (o.hiddenSize as number) % (o.numAttentionHeads as number) !== 0) return `${path}heads`;
  if ('imageSize' in o && (o.imageSize as number) % (o.patchSize as number) !== 0) return `${path}patch`;
  if ('padTokenId' in o && 'vocabSize' in o && !((o.padTokenId as number) >= 0 && (o.padTokenId as number) < (o.vocabSize as number))) return `${path}padTokenId`;
  for (const sub of ['text', 'vision'])
    if (sub in o) {
      const v = invariantViolation(o[sub], `${sub}.`);
      if (v) return v;
    }
  return null;
}

const weird = fc.oneof(
  fc.integer({ min: -64, max: 1024 }),
  fc.constantFrom(0, -1, -32, 0.5, 1, 1.5, 1e-12, -1e-5, 1e300, null, true, false, '32', 'gelu', 'relu', 'mish', [], {}, [32]),
  fc.double({ noNaN: true, min: -2, max: 2 }),
);

describe('config.json mutation suite (fast-check)', () => {
  for (const [name, base, parse] of PARSERS) {
    it(`${name}: field mutations give a clean ConfigError or an accepted config that holds the invariants`, () => {
      const baseParsed = JSON.stringify(parse(base));
      const counts: Record<Outcome, number> = { 'clean error': 0, 'accepted-equal': 0, 'accepted-different': 0, crash: 0 };
      const crashes: string[] = [];
      const keys = (o: RawConfig): string[][] =>
        Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? [[k], ...keys(v as RawConfig).map((p) => [k, ...p])] : [[k]]));
      const paths = [...keys(base), ['hidden_act'], ['num_labels'], ['id2label'], ['classifier_dropout'], ['label_smoothing']];
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.constantFrom(...paths), fc.oneof(weird, fc.constant(undefined))), { minLength: 1, maxLength: 3 }), (edits) => {
          const raw = JSON.parse(JSON.stringify(base)) as RawConfig;
          for (const [path, v] of edits) {
            let o: Record<string, unknown> = raw;
            for (const k of path.slice(0, -1)) {
              if (!o[k] || typeof o[k] !== 'object' || Array.isArray(o[k])) o[k] = {};
              o = o[k] as Record<string, unknown>;
            }
            if (v === undefined) delete o[path[path.length - 1]!];
            else o[path[path.length - 1]!] = v;
          }
          setConfigLabel(raw, './my-model/config.json');
          let parsed: unknown;
          try {
            parsed = parse(raw);
          } catch (e) {
            if (e instanceof ConfigError && e.message.startsWith('./my-model/config.json')) counts['clean error']++;
            else {
              counts.crash++;
              crashes.push(`${JSON.stringify(edits)} → ${(e as Error).name}: ${(e as Error).message}`);
            }
            return;
          }
          const bad = invariantViolation(parsed);
          if (bad) {
            counts.crash++;
            crashes.push(`${JSON.stringify(edits)} accepted with ${bad}`);
          } else counts[JSON.stringify(parsed) === baseParsed ? 'accepted-equal' : 'accepted-different']++;
        }),
        { numRuns: 2000, seed: 4242 },
      );
      console.log(`[mutation] config.json ${name}: ${JSON.stringify(counts)}`);
      expect(crashes.slice(0, 5)).toEqual([]);
      expect(counts['clean error']).toBeGreaterThan(200);
    });
  }
});
