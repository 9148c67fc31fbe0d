import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { DistilBertForSequenceClassification } from '../distilbert';
import { AutoConfig } from './auto-config';

const DISTILBERT = fileURLToPath(new URL('../distilbert/golden/distilbert-seqcls', import.meta.url));

describe('AutoConfig.fromPretrained', () => {
  let tmp = '';
  beforeAll(async () => {
    await useBackend('cpu');
    tmp = await mkdtemp(join(tmpdir(), 'tfjs-peft-autoconfig-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  async function folder(name: string, configText?: string): Promise<string> {
    const dir = join(tmp, name);
    await mkdir(dir, { recursive: true });
    if (configText !== undefined) await writeFile(join(dir, 'config.json'), configText);
    return dir;
  }

  it('returns the raw config.json written by transformers, with its model_type', async () => {
    const config = await AutoConfig.fromPretrained(DISTILBERT);
    expect(config).toEqual(JSON.parse(readFileSync(join(DISTILBERT, 'config.json'), 'utf8')));
    expect(config.model_type).toBe('distilbert');
  });

  it('can be passed on as options.config (the model config is that config)', async () => {
    const config = await AutoConfig.fromPretrained(DISTILBERT);
    const model = await DistilBertForSequenceClassification.fromPretrained(DISTILBERT, { config, onWarning: () => undefined });
    expect(model.config).toEqual(config);
    model.dispose();
  });

  it('a config without model_type is a ConfigError naming the file and the field', async () => {
    const dir = await folder('no-type', JSON.stringify({ hidden_size: 16 }));
    const err = await AutoConfig.fromPretrained(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toContain(join(dir, 'config.json'));
    expect((err as Error).message).toMatch(/"model_type" expected a non-empty string .* got nothing \(the field is missing\)/);
  });

  it('a model_type that is not a string is a ConfigError showing the value', async () => {
    const dir = await folder('bad-type', JSON.stringify({ model_type: 7 }));
    await expect(AutoConfig.fromPretrained(dir)).rejects.toThrow(/"model_type" expected a non-empty string .* got 7$/);
  });

  it('keeps the config-file errors the models give: invalid JSON, not an object, no config.json', async () => {
    const bad = await folder('bad-json', '{"model_type": "bert",');
    await expect(AutoConfig.fromPretrained(bad)).rejects.toThrow(ConfigError);
    await expect(AutoConfig.fromPretrained(bad)).rejects.toThrow(/config\.json: not valid JSON/);
    const arr = await folder('array', '[1, 2]');
    await expect(AutoConfig.fromPretrained(arr)).rejects.toThrow(/config\.json: expected a JSON object, got an array/);
    const none = await folder('empty');
    await expect(AutoConfig.fromPretrained(none)).rejects.toThrow(/config\.json/);
  });
});
