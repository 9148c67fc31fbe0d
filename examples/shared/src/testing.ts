/**
 * Test helpers for the examples' command lines: runs a script the way its README does
 * (`tsx <script>`, against the built packages) and checks that its --help lists every option it parses.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Cli, CliOptions } from './cli';

const BUILT = existsSync(fileURLToPath(new URL('../../../packages/core/dist/index.js', import.meta.url)));

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx <script> ...args` in the example's folder (`tsx src/main.ts`, as the README's `pnpm … start`). */
export function runScript(exampleDir: string, script: string, args: string[]): ScriptRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: exampleDir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The tests of one command line: `--help` and `-h` exit 0 and list each option the CLI parses
 * with its default; an unknown option exits 1 naming it and pointing at --help.
 * Spawned against the packages' dist (as the README's command runs), so skipped until they are built.
 */
export function describeCliHelp<O extends CliOptions>(name: string, cli: Cli<O>, exampleDir: string, script: string): void {
  describe.skipIf(!BUILT)(`${name} command line`, () => {
    it('answers --help with every option it parses and its default, and exits 0', () => {
      const r = runScript(exampleDir, script, ['--help']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Usage: ${cli.spec.command}`);
      const listed = [...r.stdout.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((m) => m[1]);
      expect(listed.sort()).toEqual(Object.keys(cli.spec.options).sort());
      expect(r.stdout).toMatch(/^ {2}-h, --help +print this help and exit$/m);
      for (const [option, o] of Object.entries(cli.spec.options)) {
        const line = r.stdout.split('\n').find((l) => l.startsWith(`  --${option} `) || l === `  --${option}`)!;
        expect(line, `--${option}`).toContain(o.help);
        const shown = o.defaultLabel ?? (o.type === 'string' && o.default ? String(o.default) : undefined);
        if (shown) expect(line, `--${option}`).toContain(`(default: ${shown})`);
      }
      expect(runScript(exampleDir, script, ['-h']).stdout).toBe(r.stdout);
    });
    it('names an unknown option and points at --help, exit 1', () => {
      const r = runScript(exampleDir, script, ['--no-such-option', '1']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('unknown option --no-such-option');
      expect(r.stderr).toContain(`\`${cli.spec.command} --help\` lists the options`);
    });
  });
  if (!BUILT) describe(`${name} command line`, () => it.skip('the packages are not built (pnpm build); skipped', () => undefined));
}
