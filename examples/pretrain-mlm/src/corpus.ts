import { readFile } from 'node:fs/promises';
import { loadGlue, GLUE_TASK_NAMES } from '@tfjs-peft/datasets';

/** Lines of text files (one example per line), plus the train sentences of the GLUE tasks found in `glueDir`. */
export async function readCorpus(files: string[], glueDir?: string): Promise<string[]> {
  const lines: string[] = [];
  for (const f of files) {
    // no spread: a corpus of 500,000 lines would overflow the call stack as arguments
    for (const l of (await readFile(f, 'utf8')).split('\n')) {
      const t = l.trim();
      if (t.length > 0) lines.push(t);
    }
  }
  if (glueDir) {
    for (const task of GLUE_TASK_NAMES) {
      try {
        const { examples } = await loadGlue(glueDir, task, 'train');
        for (const e of examples) {
          lines.push(e.textA);
          if (e.textB) lines.push(e.textB);
        }
      } catch (e) {
        if (!/ENOENT|no such file/i.test((e as Error).message)) throw e; // a task that is not there
      }
    }
  }
  return lines;
}
