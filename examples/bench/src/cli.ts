/** The options of the bench scripts (main, adapters, profile, interleaved), each answering --help from its table. */
import { defineCli } from '@tfjs-peft/example-shared/cli';
import { backendOption } from '@tfjs-peft/example-shared/options';
import { CONFIGS } from './adapter-configs';

const backend = backendOption('wasm');
const batch = { type: 'string', help: 'sequences per batch', default: '8', value: 'n' } as const;
const seq = { type: 'string', help: 'tokens per sequence', default: '128', value: 'n' } as const;

export const BENCH_CLI = defineCli({
  command: 'pnpm bench --',
  summary:
    'One training step (forward + backward + AdamW) of BertForSequenceClassification for the BERT shapes of the PyTorch reference table, with full fine-tuning, LayerNorm-only and LoRA: step time, tokens/s, peak memory, and the ratio to PyTorch (recorded and, when a Python with torch is found, live).',
  options: {
    backend,
    shapes: { type: 'string', help: 'BERT shapes, comma-separated (tiny, mini, small, base)', default: 'tiny,mini,small,base', value: 'list' },
    modes: { type: 'string', help: 'modes, comma-separated (full, LayerNorm-only, LoRA)', default: 'full,LayerNorm-only,LoRA', value: 'list' },
    steps: { type: 'string', help: 'timed steps after a warm-up step (the median is reported)', default: '3', value: 'n' },
    batch,
    seq,
    one: { type: 'string', help: 'time one shape:mode in this process and print JSON (what each row runs)', value: 'shape:mode' },
    torch: { type: 'string', help: 'the live PyTorch column: auto (when a Python with torch is found) or off', default: 'auto', value: 'auto|off' },
    threads: { type: 'string', help: "PyTorch's threads", default: '2', value: 'n' },
    'wasm-threads': { type: 'string', help: "the wasm backend's threads (default: the cores)", value: 'n' },
    native: { type: 'string', help: 'matrix products on @tfjs-peft/native: auto (when built), on, off, or both (each row twice)', default: 'auto', value: 'auto|on|off|both' },
    'frozen-precision': {
      type: 'string',
      help: 'products with frozen weights (LayerNorm-only and LoRA rows): float32, bf16 or both',
      default: 'float32',
      value: 'float32|bf16|both',
    },
    'first-token-only': { type: 'string', help: 'the last layer for [CLS] only (on), every token (off, as PyTorch), or both', default: 'off', value: 'off|on|both' },
  },
});

export const ADAPTERS_CLI = defineCli({
  command: 'pnpm bench:adapters --',
  summary:
    'Every PEFT method on the BERT-mini shape (batch 8 × seq 128, AdamW) beside full fine-tuning: trainable %, step time, tokens/s, peak memory; each method in its own process.',
  options: {
    backend,
    steps: { type: 'string', help: 'timed steps after a warm-up step (the median is reported)', default: '3', value: 'n' },
    methods: {
      type: 'string',
      help: `methods, separated by ; (${Object.keys(CONFIGS).join('; ')})`,
      default: Object.keys(CONFIGS).join(';'),
      defaultLabel: 'all of them',
      value: 'list',
    },
    one: { type: 'string', help: 'time one method in this process and print JSON (what each row runs)', value: 'method' },
  },
});

export const PROFILE_CLI = defineCli({
  command: 'pnpm bench:profile --',
  summary: "Per-kernel time of one BERT training step (forward + backward + AdamW) from tf.profile: which kernels, with which shapes, take the step's time.",
  options: {
    shape: { type: 'string', help: 'BERT shape (tiny, mini, small, base)', default: 'mini', value: 'name' },
    mode: { type: 'string', help: 'full, LayerNorm-only or LoRA', default: 'full', value: 'mode' },
    backend,
    batch,
    seq,
    top: { type: 'string', help: 'rows of each table', default: '25', value: 'n' },
    'frozen-precision': { type: 'string', help: 'products with frozen weights: float32 or bf16', default: 'float32', value: 'float32|bf16' },
    'first-token-only': { type: 'string', help: 'the last layer for [CLS] only (on) or every token (off)', default: 'off', value: 'off|on' },
  },
});

export const INTERLEAVED_CLI = defineCli({
  command: 'pnpm bench:interleaved --',
  summary:
    "The two settings of one switch timed step by step in turn (A B A B …) in one process per shape and mode, so that a shared machine's drift falls on both alike; prints medians, minima and their ratios.",
  options: {
    shapes: { type: 'string', help: 'BERT shapes, comma-separated (tiny, mini, small, base)', default: 'mini,small', value: 'list' },
    modes: { type: 'string', help: 'modes, comma-separated (full, LayerNorm-only, LoRA)', default: 'full,LayerNorm-only,LoRA', value: 'list' },
    rounds: { type: 'string', help: 'alternating rounds per row', default: '8', value: 'n' },
    vary: { type: 'string', help: 'the switch: first-token-only', default: 'first-token-only', value: 'switch' },
    batch,
    seq,
    one: { type: 'string', help: 'time one shape:mode in this process and print JSON (what each row runs)', value: 'shape:mode' },
  },
});

export const DECODER_CLI = defineCli({
  command: 'pnpm bench:decoder --',
  summary:
    'One LoRA training step (r 8, α 16, q_proj/v_proj; forward + causal-LM loss with labels = inputs + backward + AdamW) of a randomly initialised LlamaForCausalLM at the SmolLM2 / TinyLlama shapes, beside the same step run live in PyTorch + transformers + PEFT from the same config.json: step time, tokens/s, peak memory.',
  options: {
    backend,
    shapes: { type: 'string', help: 'decoder shapes, comma-separated (llama-tiny, smollm2-135m, smollm2-360m, tinyllama-1.1b)', default: 'smollm2-135m', value: 'list' },
    batch: { type: 'string', help: 'sequences per batch', default: '4', value: 'n' },
    seq: { type: 'string', help: 'tokens per sequence', default: '256', value: 'n' },
    steps: { type: 'string', help: 'timed steps after a warm-up step (the median is reported)', default: '3', value: 'n' },
    torch: { type: 'string', help: 'the live PyTorch columns: auto (when a Python with torch + transformers + peft is found) or off', default: 'auto', value: 'auto|off' },
    threads: { type: 'string', help: "PyTorch's threads", default: '2', value: 'n' },
    'wasm-threads': { type: 'string', help: "the wasm backend's threads (default: the cores)", value: 'n' },
    native: { type: 'string', help: 'matrix products on @tfjs-peft/native: auto (when built), on or off', default: 'auto', value: 'auto|on|off' },
    'row-timeout': {
      type: 'string',
      help: "minutes before one of our rows is stopped (past the wasm backend's 4 GiB heap a step can run on without failing)",
      default: '15',
      value: 'min',
    },
    one: { type: 'string', help: 'time one shape in this process from --config-dir and print JSON (what each row runs)', value: 'shape' },
    'config-dir': { type: 'string', help: "with --one: the folder of the row's config.json", value: 'dir' },
  },
});
