import { fileURLToPath } from 'node:url';
import { describeCliHelp } from '@tfjs-peft/example-shared/testing';
import { BENCH_CLI, ADAPTERS_CLI, PROFILE_CLI, INTERLEAVED_CLI, DECODER_CLI } from './cli';

const DIR = fileURLToPath(new URL('..', import.meta.url));
describeCliHelp('pnpm bench', BENCH_CLI, DIR, 'src/main.ts');
describeCliHelp('pnpm bench:adapters', ADAPTERS_CLI, DIR, 'src/adapters.ts');
describeCliHelp('pnpm bench:profile', PROFILE_CLI, DIR, 'src/profile.ts');
describeCliHelp('pnpm bench:interleaved', INTERLEAVED_CLI, DIR, 'src/interleaved.ts');
describeCliHelp('pnpm bench:decoder', DECODER_CLI, DIR, 'src/decoder.ts');
