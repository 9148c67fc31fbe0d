import * as tf from '@tensorflow/tfjs-core';
import { measurePeakBytes, variableGrads, type Parameter } from '@tfjs-peft/core';
import { AdamW } from '@tfjs-peft/train';

/**
 * Times `steps` training steps (forward + backward + the Trainer's AdamW, what users run) after one
 * warm-up step; returns the median step time, the peak tensor memory of a step and the last step's loss.
 */
export async function timeTrainingSteps(loss: () => tf.Scalar, params: [string, Parameter][], steps: number, lr = 2e-5): Promise<{ ms: number; peak: number; loss: number }> {
  const opt = new AdamW(params, { weightDecay: 0.01 });
  const vars = params.map(([, p]) => p.variable);
  let last = NaN;
  const step = async () => {
    const { value, grads } = variableGrads(loss, vars);
    opt.apply(grads, lr);
    last = (await value.data())[0]!;
    tf.dispose([value, ...Object.values(grads)]);
  };
  await step();
  const times: number[] = [];
  let peak = 0;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const r = await measurePeakBytes(step);
    times.push(performance.now() - t0);
    peak = Math.max(peak, r.peakBytes);
  }
  opt.dispose();
  times.sort((x, y) => x - y);
  return { ms: times[Math.floor(times.length / 2)]!, peak, loss: last };
}
