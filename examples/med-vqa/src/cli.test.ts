import { fileURLToPath } from 'node:url';
import { describeCliHelp } from '@tfjs-peft/example-shared/testing';
import { MED_VQA_CLI } from './main';

const DIR = fileURLToPath(new URL('..', import.meta.url));
describeCliHelp('examples/med-vqa', MED_VQA_CLI, DIR, 'src/main.ts');
