import { defineCli } from '@tfjs-peft/example-shared/cli';

export const ADD_POOLER_CLI = defineCli({
  command: 'pnpm --filter @tfjs-peft/example-pretrain-mlm exec tsx src/add-pooler.ts',
  summary: "Adds a BERT pooler (transformers' initialisation, drawn once from --seed) to a masked-LM checkpoint that has none, so every load starts from the same weights.",
  positionals: '<checkpoint folder>',
  options: {
    seed: { type: 'string', help: "seed of the pooler's draw", default: '0', value: 'n' },
  },
});
