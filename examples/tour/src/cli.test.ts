import { fileURLToPath } from 'node:url';
import { describeCliHelp } from '@tfjs-peft/example-shared/testing';
import { TOUR_CLI } from './cli';

const DIR = fileURLToPath(new URL('..', import.meta.url));
describeCliHelp('examples/tour', TOUR_CLI, DIR, 'src/main.ts');
