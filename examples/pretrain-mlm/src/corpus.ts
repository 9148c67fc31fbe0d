import { readFile } from 'node:fs/promises';
import { loadGlue, GLUE_TASK_NAMES } from '@tfjs-peft/datasets';

/** Lines of text files (one example per line), plus the train sentences of the GLUE tasks found in `glueDir`. */
export async function readCorpus(files: string[], glueDir?: string): Promise<string[]> {
  const lines: string[] = [];
  for (const f of files)
    lines.push(
      ...(await readFile(f, 'utf8'))
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0),
    );
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
