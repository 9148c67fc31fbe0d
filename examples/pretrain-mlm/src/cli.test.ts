import { fileURLToPath } from 'node:url';
import { describeCliHelp } from '@tfjs-peft/example-shared/testing';
import { PRETRAIN_MLM_CLI } from './main';
import { ADD_POOLER_CLI } from './add-pooler-cli';

const DIR = fileURLToPath(new URL('..', import.meta.url));
describeCliHelp('examples/pretrain-mlm', PRETRAIN_MLM_CLI, DIR, 'src/main.ts');
describeCliHelp('examples/pretrain-mlm add-pooler', ADD_POOLER_CLI, DIR, 'src/add-pooler.ts');
