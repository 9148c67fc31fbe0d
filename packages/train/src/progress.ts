import type { SingleBar } from 'cli-progress';

export interface ProgressInfo {
  step: number;
  total: number;
  loss: number;
  lr: number;
  tokensPerSecond: number | null;
}

export interface ProgressOptions {
  /** whether stdout is a terminal (default: `process.stdout.isTTY`) */
  isTTY?: boolean;
  /** where plain lines go (default: stdout) */
  write?: (line: string) => void;
  /** without a TTY: a line at least this often while steps complete (default 10 000 ms) */
  intervalMs?: number;
  /** without a TTY: a line every this many steps too (default: a tenth of the run) */
  everySteps?: number;
  /** clock in ms (default `performance.now`) */
  now?: () => number;
}

const stdoutIsTTY = () => typeof process !== 'undefined' && !!process.stdout?.isTTY;
const writeStdout = (line: string) => {
  if (typeof process !== 'undefined' && process.stdout?.write) process.stdout.write(`${line}\n`);
  else console.log(line);
};

/** `95s` → `1m35s`; hours when long. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Training progress with loss, lr, tokens/s and ETA. On a terminal: a bar (cli-progress). Without
 * one (stdout piped to a log, CI): plain lines, `train step 120/1000 | loss 2.3456 | lr 1.00e-4 |
 * 5123 tok/s | ETA 4m10s`, at the first step, then every ~10 s or every tenth of the run, and at
 * the last step. `enabled: false` is silent; `undefined` means on. cli-progress is loaded only when
 * a bar is shown, so browser bundles never evaluate it (pages get the same numbers through
 * `callbacks.onStep`).
 */
export class ProgressBar {
  private bar: SingleBar | null = null;
  private lines = false;
  private readonly o: Required<Omit<ProgressOptions, 'everySteps'>> & { everySteps?: number };
  private t0 = 0;
  private startStep = 0;
  private lastAt = 0;
  private lastStep = 0;
  private every = 1;

  constructor(
    private readonly enabled: boolean | undefined,
    options: ProgressOptions = {},
  ) {
    this.o = {
      isTTY: options.isTTY ?? stdoutIsTTY(),
      write: options.write ?? writeStdout,
      intervalMs: options.intervalMs ?? 10_000,
      everySteps: options.everySteps,
      now: options.now ?? (() => performance.now()),
    };
  }

  async start(total: number, start: number): Promise<void> {
    if (this.enabled === false) return;
    if (!this.o.isTTY) {
      this.lines = true;
      this.t0 = this.lastAt = this.o.now();
      this.startStep = this.lastStep = start;
      this.every = this.o.everySteps ?? Math.max(1, Math.ceil((total - start) / 10));
      return;
    }
    const mod = await import('cli-progress');
    const { SingleBar, Presets } = (mod as unknown as { default?: typeof mod }).default ?? mod;
    this.bar = new SingleBar(
      { format: 'train [{bar}] {value}/{total} | loss {loss} | lr {lr} | {tps} tok/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20 },
      Presets.shades_classic,
    );
    this.bar.start(total, start, { loss: '-', lr: '-', tps: '-' });
  }

  update(p: ProgressInfo): void {
    if (this.lines) return this.line(p);
    this.bar?.update(p.step, { loss: p.loss.toFixed(4), lr: p.lr.toExponential(2), tps: p.tokensPerSecond == null ? '-' : Math.round(p.tokensPerSecond) });
  }

  private line(p: ProgressInfo): void {
    const now = this.o.now();
    const first = p.step === this.startStep + 1;
    const last = p.step >= p.total;
    if (!first && !last && now - this.lastAt < this.o.intervalMs && p.step - this.lastStep < this.every) return;
    const done = p.step - this.startStep;
    const eta = done > 0 ? ((now - this.t0) / 1000 / done) * (p.total - p.step) : NaN;
    const tps = p.tokensPerSecond == null ? '' : ` | ${Math.round(p.tokensPerSecond)} tok/s`;
    this.o.write(
      `train step ${p.step}/${p.total} | loss ${p.loss.toFixed(4)} | lr ${p.lr.toExponential(2)}${tps} | ${last ? `done in ${formatDuration((now - this.t0) / 1000)}` : `ETA ${formatDuration(eta)}`}`,
    );
    this.lastAt = now;
    this.lastStep = p.step;
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
    this.lines = false;
  }
}
