import { describe, it, expect } from 'vitest';
import { TfjsPeftError } from '@tfjs-peft/core';
import { defineCli, cliArgs, CliHelpRequest, CliUsageError } from './cli';

const cli = defineCli({
  command: 'pnpm try --',
  summary: 'Tries things.',
  options: {
    model: { type: 'string', help: 'checkpoint folder', defaultLabel: 'the embedded one', default: '/x/model', value: 'folder' },
    steps: { type: 'string', help: 'optimizer steps', default: '300' },
    lr: { type: 'string', help: 'learning rate (default: per method)' },
    corpus: { type: 'string', help: 'text files', default: '' },
    'no-progress': { type: 'boolean', help: 'no progress bars', default: false },
  },
});

describe('defineCli', () => {
  it('parses with the defaults of the table', () => {
    const { values } = cli.parse(['--steps', '5', '--no-progress']);
    expect(values).toEqual({ model: '/x/model', steps: '5', corpus: '', 'no-progress': true });
    expect(cli.parse([]).values.lr).toBeUndefined();
  });

  it('answers --help and -h with every option, its placeholder and default', () => {
    let err: unknown;
    try {
      cli.parse(['--steps', '5', '-h']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliHelpRequest);
    const text = (err as CliHelpRequest).text;
    expect(text.split('\n')).toEqual([
      'Usage: pnpm try -- [options]',
      '',
      'Tries things.',
      '',
      'Options:',
      '  --model <folder>  checkpoint folder (default: the embedded one)',
      '  --steps <value>   optimizer steps (default: 300)',
      '  --lr <value>      learning rate (default: per method)',
      '  --corpus <value>  text files (default: none)',
      '  --no-progress     no progress bars',
      '  -h, --help        print this help and exit',
    ]);
    expect(() => cli.parse(['--help'])).toThrow(CliHelpRequest);
    expect(cli.help()).toBe(text);
  });

  it('names an unknown option, a missing value and a stray argument, pointing at --help', () => {
    expect(() => cli.parse(['--stpes', '5'])).toThrow('unknown option --stpes; `pnpm try -- --help` lists the options');
    expect(() => cli.parse(['--steps'])).toThrow(/--steps <value>' argument missing; `pnpm try -- --help`/);
    expect(() => cli.parse(['extra'])).toThrow('unexpected argument "extra" (this command takes options only)');
    try {
      cli.parse(['-x']);
    } catch (e) {
      expect(e).toBeInstanceOf(CliUsageError);
      expect(e).toBeInstanceOf(TfjsPeftError);
      expect((e as CliUsageError).code).toBe('CLI_USAGE');
      expect((e as Error).message).toMatch(/^unknown option -x;/);
    }
    expect.assertions(7);
  });

  it('takes positionals only when the spec names them', () => {
    const withPos = defineCli({ command: 'tsx add.ts', summary: 's', positionals: '<folder>', options: { seed: { type: 'string', help: 'seed', default: '0' } } });
    expect(withPos.parse(['dir', '--seed', '3'])).toEqual({ values: { seed: '3' }, positionals: ['dir'] });
    expect(withPos.help().split('\n')[0]).toBe('Usage: tsx add.ts [options] <folder>');
  });

  it('drops the `--` pnpm hands a script first, and only that one', () => {
    expect(cliArgs(['node', 'main.ts', '--', '--steps', '5'])).toEqual(['--steps', '5']);
    expect(cliArgs(['node', 'main.ts', '--steps', '5', '--'])).toEqual(['--steps', '5', '--']);
  });
});
