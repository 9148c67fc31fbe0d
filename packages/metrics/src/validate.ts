/** Both arrays non-empty and of one length; the message names the metric. */
export function checkPair(metric: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`${metric}: predictions (${a.length}) and references (${b.length}) differ in length`);
  if (a.length === 0) throw new RangeError(`${metric}: no examples`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) throw new RangeError(`${metric}: non-finite value at index ${i}`);
  }
}
