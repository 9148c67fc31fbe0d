import { describe, it, expect } from 'vitest';
import { TfjsPeftError, OpInputError, BackendError, GradientError, ShapeError, activation } from './index';
import { TfjsPeftError as OpsTfjsPeftError } from '@tfjs-peft/ops';

describe('one error base class across ops and core', () => {
  it('core re-exports the TfjsPeftError of ops (the same class)', () => {
    expect(TfjsPeftError).toBe(OpsTfjsPeftError);
  });
  it("ops' errors are TfjsPeftErrors with stable codes and names", () => {
    const cases: [TfjsPeftError, string, string][] = [
      [new OpInputError('linear', 'x', 'rank 2', 'rank 3'), 'OP_INPUT', 'OpInputError'],
      [new BackendError('wasm: failed'), 'BACKEND_UNAVAILABLE', 'BackendError'],
      [new GradientError('gradients: xs is empty'), 'GRADIENT', 'GradientError'],
      [new ShapeError('w', [2, 3], [3, 2]), 'SHAPE_MISMATCH', 'ShapeError'],
    ];
    for (const [e, code, name] of cases) {
      expect(e).toBeInstanceOf(TfjsPeftError);
      expect(e).toBeInstanceOf(Error);
      expect(e.code).toBe(code);
      expect(e.name).toBe(name);
    }
    expect(new OpInputError('linear', 'x', 'rank 2', 'rank 3').message).toBe('linear: x expected rank 2, got rank 3');
  });
  it('an op thrown error is caught as TfjsPeftError', () => {
    expect(() => activation('quick_gelu')).toThrow(TfjsPeftError);
    expect(() => activation('quick_gelu')).toThrow(/unknown hidden_act "quick_gelu"/);
  });
});
