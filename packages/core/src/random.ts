/**
 * The process-wide seed stream for parameter initialisation and dropout. `manualSeed(n)` makes
 * every following initialisation and dropout mask reproducible (like `torch.manual_seed`).
 */
let state = 0x2545f491;

export function manualSeed(seed: number): void {
  state = seed >>> 0;
}

/** Next 31-bit seed from a splitmix32 stream (tfjs's seeded ops take a number seed). */
export function nextSeed(): number {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 1;
}

/** The stream position, for checkpoints that resume identically. */
export function getSeedState(): number {
  return state;
}

export function setSeedState(s: number): void {
  state = s >>> 0;
}
