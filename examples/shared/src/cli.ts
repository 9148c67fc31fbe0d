/**
 * The examples' command-line scaffolding: one table of options (type, default, one line of help)
 * from which both the parser (node:util parseArgs, strict) and the `--help` text are made, so the
 * help lists exactly what the command parses.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { TfjsPeftError } from '@tfjs-peft/core';

export interface CliOption {
  type: 'string' | 'boolean';
  /** one line for `--help` */
  help: string;
  default?: string | boolean;
  /** how `--help` shows the default when the value is long or depends on the machine (e.g. `the embedded checkpoint`) */
  defaultLabel?: string;
  /** the value's placeholder in `--help` (default `value`) */
  value?: string;
}

export type CliOptions = Record<string, CliOption>;

export interface CliSpec<O extends CliOptions> {
  /** the command as the README gives it, e.g. `npm run demo --` */
  command: string;
  /** what the command does, in a line or two */
  summary: string;
  options: O;
  /** the positional arguments, e.g. `<checkpoint folder>`; without it, positionals are an error */
  positionals?: string;
}

type ValueOf<T extends CliOption> = T['type'] extends 'boolean' ? boolean : T extends { default: string } ? string : string | undefined;

/** The parsed options: a string with a default is a string, one without may be undefined, a flag is a boolean. */
export type CliValues<O extends CliOptions> = { -readonly [K in keyof O]: ValueOf<O[K]> };

/** A command line the command does not take: names the option or argument and points at `--help`. */
export class CliUsageError extends TfjsPeftError {
  constructor(command: string, problem: string) {
    super('CLI_USAGE', `${problem}; \`${command} --help\` lists the options`);
  }
}

/** `--help` or `-h` was given: `text` is the help to print (runMain prints it and exits 0). */
export class CliHelpRequest extends TfjsPeftError {
  constructor(readonly text: string) {
    super('CLI_HELP_REQUESTED', text);
  }
}

export interface Cli<O extends CliOptions> {
  readonly spec: CliSpec<O>;
  /** the `--help` text */
  help(): string;
  /** Parses `argv` (without node and the script); throws CliHelpRequest on --help/-h and CliUsageError on anything it does not take. */
  parse(argv: string[]): { values: CliValues<O>; positionals: string[] };
  /** parse() for a top-level script: prints the help and exits 0, or prints the usage error and exits 1. */
  parseOrExit(argv: string[]): { values: CliValues<O>; positionals: string[] };
}

function defaultText(o: CliOption): string {
  if (o.defaultLabel !== undefined) return ` (default: ${o.defaultLabel})`;
  if (o.type === 'boolean' || o.default === undefined) return '';
  return ` (default: ${o.default === '' ? 'none' : o.default})`;
}

/** The help text: usage, summary, then one line per option with its default. */
export function helpText<O extends CliOptions>(spec: CliSpec<O>): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([name, o]) => [
    o.type === 'boolean' ? `--${name}` : `--${name} <${o.value ?? 'value'}>`,
    `${o.help}${defaultText(o)}`,
  ]);
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    `Usage: ${spec.command} [options]${spec.positionals ? ` ${spec.positionals}` : ''}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`),
  ].join('\n');
}

function usageProblem(e: { code?: string; message: string }): string {
  const unknown = /Unknown option '([^']+)'/.exec(e.message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const positional = /Unexpected argument '([^']*)'/.exec(e.message);
  if (positional) return `unexpected argument "${positional[1]}" (this command takes options only)`;
  return e.message.split('. ')[0]!;
}

/** One command's options: the parser and the help from the same table. */
export function defineCli<const O extends CliOptions>(spec: CliSpec<O>): Cli<O> {
  const parserOptions = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [name, o.default === undefined ? { type: o.type } : { type: o.type, default: o.default }]),
  ) as Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;
  const cli: Cli<O> = {
    spec,
    help: () => helpText(spec),
    parse(argv) {
      const end = argv.indexOf('--');
      const flags = end < 0 ? argv : argv.slice(0, end);
      if (flags.includes('--help') || flags.includes('-h')) throw new CliHelpRequest(helpText(spec));
      try {
        const r = parseArgs({ args: argv, options: parserOptions, strict: true, allowPositionals: spec.positionals !== undefined });
        return { values: r.values as CliValues<O>, positionals: r.positionals };
      } catch (e) {
        const err = e as { code?: string; message: string };
        if (err.code?.startsWith('ERR_PARSE_ARGS_')) throw new CliUsageError(spec.command, usageProblem(err));
        throw e;
      }
    },
    parseOrExit(argv) {
      try {
        return cli.parse(argv);
      } catch (e) {
        exitOn(e);
      }
    },
  };
  return cli;
}

function exitOn(e: unknown): never {
  if (e instanceof CliHelpRequest) {
    console.log(e.text);
    process.exit(0);
  }
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}

/** The command line after node and the script; `pnpm … start -- --flag` hands the script a literal `--` first, which is dropped. */
export function cliArgs(argv: string[] = process.argv): string[] {
  return argv.slice(2).filter((x, i) => i > 0 || x !== '--');
}

/**
 * Runs `main` when `moduleUrl` (the caller's `import.meta.url`) is the script node was started
 * with: --help prints the help and exits 0; an error prints its message and exits 1.
 */
export function runMain(moduleUrl: string, main: (argv: string[]) => Promise<unknown>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main(cliArgs()).catch(exitOn);
}
