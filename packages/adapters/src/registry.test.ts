import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { METHOD_DEFINITIONS, METHODS, definitionOf, fromAdapterConfigJson, toAdapterConfigJson, PeftError, applyPeft, type MethodConfig } from './index';
import { definitionOfFile, PEFT_TYPES, ADAPTER_SEGMENTS } from './registry';
import { TOYS } from './testing/toy';

const SRC = fileURLToPath(new URL('.', import.meta.url));

describe('method registry', () => {
  beforeAll(() => useBackend('cpu'));

  it('lists every method once, each resolving to the definition that names it', () => {
    expect(new Set(METHODS).size).toBe(METHODS.length);
    expect(METHODS).toEqual(['lora', 'dora', 'ia3', 'prefix-tuning', 'p-tuning-v2', 'prompt-tuning', 'ln-tuning', 'bitfit', 'ffn-only', 'attention-only', 'full']);
    for (const m of METHODS) expect(definitionOf(m).methods).toContain(m);
    expect(() => definitionOf('lokr')).toThrow(PeftError);
    expect(() => definitionOf('lokr')).toThrow(/unknown method "lokr"; methods: lora, dora, ia3/);
  });

  it("each definition's options accept the bare method and reject an unknown option, naming it", () => {
    for (const d of METHOD_DEFINITIONS)
      for (const m of d.methods) {
        expect(d.options.safeParse({ method: m }).success, m).toBe(true);
        const bad = d.options.safeParse({ method: m, rank: 4 });
        expect(bad.success, m).toBe(false);
        expect(JSON.stringify(bad.error?.issues), m).toContain('rank');
      }
  });

  it('every method round-trips through its adapter_config.json on tiny BERT (a projected prefix reads back as P-Tuning v2, as PEFT)', () => {
    const toy = TOYS[0]!;
    for (const m of METHODS) {
      const model = toy.make();
      const config = { method: m } as MethodConfig;
      const json = toAdapterConfigJson(config, model);
      expect(json.peft_type, m).toBe(definitionOf(m).peftType);
      const back = fromAdapterConfigJson(JSON.parse(JSON.stringify(json)), `${m}/adapter_config.json`, model);
      expect(back.method, m).toBe(definitionOf(m).loadsAs?.(m) ?? m);
      // and applies: the config the file stands for builds a PeftModel
      applyPeft(model, back).dispose();
    }
  });

  it('reads a LORA file as DoRA exactly when use_dora is true', () => {
    expect(PEFT_TYPES).toContain('LORA');
    expect(definitionOfFile({ peft_type: 'LORA', use_dora: true })?.methods).toEqual(['dora']);
    expect(definitionOfFile({ peft_type: 'LORA', use_dora: false })?.methods).toEqual(['lora']);
    expect(definitionOfFile({ peft_type: 'LORA' })?.methods).toEqual(['lora']);
    expect(definitionOfFile({ peft_type: 'LOKR' })).toBeUndefined();
    expect(ADAPTER_SEGMENTS).toEqual(expect.arrayContaining(['lora_A', 'lora_B', 'lora_magnitude_vector', 'ia3_l']));
  });

  it('no code outside the registry and the method folders compares against a method name', () => {
    const methodFolders = new Set(['lora', 'dora', 'ia3', 'ln-tuning', 'prefix-tuning', 'prompt-tuning', 'selective', 'testing']);
    // 'full' is also a sub-module policy value ('frozen' | 'full' | a method), so it is left out here
    const names = METHODS.filter((m) => m !== 'full').join('|');
    const compare = new RegExp(`(case|===|!==)\\s*'(${names})'|'(${names})'\\s*(===|!==)`);
    const offenders: string[] = [];
    const walk = (dir: string, rel: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) {
          if (!(rel === '' && methodFolders.has(e.name))) walk(join(dir, e.name), rel ? `${rel}/${e.name}` : e.name);
        } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && e.name !== 'registry.ts') {
          readFileSync(join(dir, e.name), 'utf8')
            .split('\n')
            .forEach((line, i) => compare.test(line) && offenders.push(`${rel ? `${rel}/` : ''}${e.name}:${i + 1}: ${line.trim()}`));
        }
      }
    };
    walk(SRC, '');
    expect(offenders).toEqual([]);
  });

  it('the conformance suite has a case for every method', () => {
    const conformance = readFileSync(join(SRC, 'conformance.test.ts'), 'utf8');
    for (const m of METHODS) expect(conformance, m).toContain(`name: '${m}'`);
  });
});
