"""One LoRA training step of a causal LM in PyTorch + transformers + PEFT, timed as
`pnpm bench:decoder` times ours: `LlamaForCausalLM(LlamaConfig.from_pretrained(dir))` (random
weights, float32, transformers' default attention), PEFT's `LoraConfig(r=8, lora_alpha=16,
lora_dropout=0, task_type='CAUSAL_LM')` with its default targets (q_proj, v_proj), batch x seq
random tokens with labels = inputs (the model shifts them), `torch.optim.AdamW(lr=1e-4,
weight_decay=0.01)` over the LoRA parameters, median of `--steps` steps after `--warmup` steps.

  python torch_decoder_step.py --config-dir DIR --batch 4 --seq 256 --steps 3 --warmup 1 --threads 2

Prints one JSON line: {"ms": ..., "peak_bytes": ..., "loss": ..., "trainable": n, "attn": "sdpa",
"torch": "2.x", "threads": n}. peak_bytes is the process's peak resident memory minus its resident
memory before the model was built (weights, LoRA state, activations, allocator overhead).
"""
import argparse
import json
import resource
import statistics
import time


def rss_bytes():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()


ap = argparse.ArgumentParser()
ap.add_argument('--config-dir', required=True)
ap.add_argument('--batch', type=int, default=4)
ap.add_argument('--seq', type=int, default=256)
ap.add_argument('--steps', type=int, default=3)
ap.add_argument('--warmup', type=int, default=1)
ap.add_argument('--threads', type=int, default=0)
args = ap.parse_args()

import torch  # noqa: E402  (imported after argparse so --help is quick)
import transformers as T  # noqa: E402
from peft import LoraConfig, get_peft_model  # noqa: E402

if args.threads:
    torch.set_num_threads(args.threads)
torch.manual_seed(0)
baseline = rss_bytes()
cfg = T.LlamaConfig.from_pretrained(args.config_dir)
model = get_peft_model(T.LlamaForCausalLM(cfg), LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, task_type='CAUSAL_LM'))
model.train()
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
ids = torch.randint(0, cfg.vocab_size, (args.batch, args.seq))
times = []
loss = None
for i in range(args.steps + args.warmup):
    t = time.perf_counter()
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    opt.step()
    opt.zero_grad()
    loss = loss.item()
    if i >= args.warmup:
        times.append((time.perf_counter() - t) * 1000)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - baseline
print(json.dumps({'ms': statistics.median(times), 'peak_bytes': peak, 'loss': loss, 'trainable': sum(p.numel() for p in params),
                  'attn': model.base_model.model.config._attn_implementation, 'torch': torch.__version__, 'threads': torch.get_num_threads()}))
