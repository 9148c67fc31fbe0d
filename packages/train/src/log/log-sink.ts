import type { StepLog } from '../train-step';

/** One evaluation, as logged: `{ step, eval: { accuracy: 0.91, … } }`. */
export interface EvalLog {
  step: number;
  eval: Record<string, number>;
}

/** What the trainer logs: one record per step and one per evaluation. */
export type LogRecord = StepLog | EvalLog;

/**
 * Where training logs go. The trainer awaits `write` for every record in order, and calls `close`
 * when `train()` returns or throws (a later `train()` may write again). Works anywhere: the
 * sinks below that need no file system run in browsers too.
 */
export interface LogSink {
  write(record: LogRecord): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** Records as a JSONL line holds them (a JSON round trip: NaN and ±Infinity become null). */
const asJson = (record: LogRecord): LogRecord => JSON.parse(JSON.stringify(record)) as LogRecord;

/** A sink that keeps the records in memory (`records`), exactly as `jsonlFileSink` writes them. */
export function memorySink(): LogSink & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    write(record) {
      records.push(asJson(record));
    },
  };
}

/** A sink that hands every record (as the JSONL file holds it) to `fn` — a chart, a worker, a socket. */
export function callbackSink(fn: (record: LogRecord) => void | Promise<void>): LogSink {
  return { write: (record) => fn(asJson(record)) };
}
