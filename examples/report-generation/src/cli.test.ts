import { fileURLToPath } from 'node:url';
import { describeCliHelp } from '@tfjs-peft/example-shared/testing';
import { REPORT_GENERATION_CLI } from './main';

const DIR = fileURLToPath(new URL('..', import.meta.url));
describeCliHelp('examples/report-generation', REPORT_GENERATION_CLI, DIR, 'src/main.ts');
