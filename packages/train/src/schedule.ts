export type ScheduleName = 'constant' | 'linear' | 'cosine';

/**
 * The learning rate at optimizer step `step` (0-based), as transformers' schedules: a linear
 * warm-up from 0 over `warmupSteps`, then constant, linear decay to 0 at `totalSteps`, or a
 * half-cosine to 0 (`get_linear_schedule_with_warmup`, `get_cosine_schedule_with_warmup`).
 */
export function learningRate(schedule: ScheduleName, baseLr: number, step: number, totalSteps: number, warmupSteps = 0): number {
  if (step < warmupSteps) return (baseLr * step) / Math.max(1, warmupSteps);
  if (schedule === 'constant') return baseLr;
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  if (schedule === 'linear') return baseLr * Math.max(0, 1 - progress);
  return baseLr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
}
