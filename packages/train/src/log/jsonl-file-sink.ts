import type { LogRecord, LogSink } from './log-sink';

/**
 * A Node sink that appends one JSON line per record to `path` (its folder is created on the first
 * write). Each record is appended as it comes, so a crash loses nothing already logged. The file
 * system is loaded on the first write, so importing this in a browser bundle is harmless.
 */
export function jsonlFileSink(path: string): LogSink {
  let ready: Promise<void> | null = null;
  const dir = path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')));
  return {
    async write(record: LogRecord) {
      const fs = await import('../io/node-fs');
      ready ??= (dir ? fs.mkdirp(dir) : Promise.resolve()).catch((e: unknown) => {
        ready = null; // try again on the next write
        throw e;
      });
      await ready;
      await fs.appendText(path, `${JSON.stringify(record)}\n`);
    },
  };
}
