import { fileURLToPath } from 'node:url';
import { describeCliHelp } from '@tfjs-peft/example-shared/testing';
import { GLUE_CLI } from './main';

const DIR = fileURLToPath(new URL('..', import.meta.url));
describeCliHelp('examples/glue', GLUE_CLI, DIR, 'src/main.ts');
