import { fileURLToPath } from 'node:url';
import { describeCliHelp } from '@tfjs-peft/example-shared/testing';
import { LAYERNORM_FISHER_CLI } from './main';

const DIR = fileURLToPath(new URL('..', import.meta.url));
describeCliHelp('examples/layernorm-fisher', LAYERNORM_FISHER_CLI, DIR, 'src/main.ts');
