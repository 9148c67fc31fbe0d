import { describe, it, expect } from 'vitest';
import { defineCli } from './cli';
import { TRAINING_OPTIONS, trainingSettings } from './options';

const cli = defineCli({ command: 'pnpm try --', summary: 'Trains.', options: { ...TRAINING_OPTIONS } });

describe('TRAINING_OPTIONS', () => {
  it('progress is on (a bar on a terminal, plain lines in a log) unless --no-progress', () => {
    expect(trainingSettings(cli.parse([]).values)).toEqual({ maxSteps: 300, batchSize: 16, maxLength: 128, seed: 42, progress: true });
    expect(trainingSettings(cli.parse(['--no-progress']).values).progress).toBe(false);
  });
});
