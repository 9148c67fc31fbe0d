import { fileURLToPath } from 'node:url';
import { describeCliHelp } from '@tfjs-peft/example-shared/testing';
import { DEMO_CLI } from './main';

const DIR = fileURLToPath(new URL('..', import.meta.url));
describeCliHelp('examples/demo', DEMO_CLI, DIR, 'src/main.ts');
