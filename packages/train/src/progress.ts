import type { SingleBar } from 'cli-progress';

export interface ProgressInfo {
  step: number;
  total: number;
  loss: number;
  lr: number;
  tokensPerSecond: number | null;
}

/**
 * A terminal progress bar (cli-progress) with loss, lr, tokens/s and ETA; silent without a TTY.
 * cli-progress is loaded only when a bar is shown, so browser bundles never evaluate it (pages get
 * the same numbers through `callbacks.onStep`).
 */
export class ProgressBar {
  private bar: SingleBar | null = null;
  constructor(private readonly enabled: boolean) {}
  async start(total: number, start: number): Promise<void> {
    if (!this.enabled) return;
    const mod = await import('cli-progress');
    const { SingleBar, Presets } = (mod as unknown as { default?: typeof mod }).default ?? mod;
    this.bar = new SingleBar(
      { format: 'train [{bar}] {value}/{total} | loss {loss} | lr {lr} | {tps} tok/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20 },
      Presets.shades_classic,
    );
    this.bar.start(total, start, { loss: '-', lr: '-', tps: '-' });
  }
  update(p: ProgressInfo): void {
    this.bar?.update(p.step, { loss: p.loss.toFixed(4), lr: p.lr.toExponential(2), tps: p.tokensPerSecond == null ? '-' : Math.round(p.tokensPerSecond) });
  }
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
