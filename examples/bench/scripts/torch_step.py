"""One BERT sequence-classification training step in PyTorch + transformers (+ PEFT for LoRA), timed
as `pnpm bench` times ours: batch x seq random tokens, dropout 0.1, AdamW, median of `--steps` steps
after a warm-up step.

  python torch_step.py --shape 2,128,2,512 --mode full|LayerNorm-only|LoRA --batch 8 --seq 128 --steps 3 --threads 2

Prints one JSON line: {"ms": ..., "peak_bytes": ..., "torch": "2.x", "threads": n}. peak_bytes is the
process's peak resident memory minus its resident memory before the model was built (tensors,
gradients, optimizer state, activations and allocator overhead): the memory the step itself needs,
as ours counts its peak tensor memory.
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
ap.add_argument('--shape', required=True)
ap.add_argument('--mode', required=True, choices=['full', 'LayerNorm-only', 'LoRA'])
ap.add_argument('--batch', type=int, default=8)
ap.add_argument('--seq', type=int, default=128)
ap.add_argument('--steps', type=int, default=3)
ap.add_argument('--threads', type=int, default=0)
args = ap.parse_args()

import torch  # noqa: E402  (imported after argparse so --help is quick)
import transformers as T  # noqa: E402

if args.threads:
    torch.set_num_threads(args.threads)
L, H, heads, ffn = (int(x) for x in args.shape.split(','))
torch.manual_seed(0)
baseline = rss_bytes()
cfg = T.BertConfig(vocab_size=30522, hidden_size=H, num_hidden_layers=L, num_attention_heads=heads, intermediate_size=ffn,
                   max_position_embeddings=512, num_labels=2, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = T.BertForSequenceClassification(cfg)
if args.mode == 'LayerNorm-only':
    for n, p in model.named_parameters():
        p.requires_grad = 'LayerNorm' in n or n.startswith('classifier.')
elif args.mode == 'LoRA':
    from peft import LoraConfig, get_peft_model
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.1, target_modules=['query', 'value'], task_type='SEQ_CLS'))
model.train()
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
ids = torch.randint(1000, 30000, (args.batch, args.seq))
mask = torch.ones_like(ids)
labels = torch.randint(0, 2, (args.batch,))
times = []
for i in range(args.steps + 1):
    t = time.perf_counter()
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    loss.backward()
    opt.step()
    opt.zero_grad()
    if i:
        times.append((time.perf_counter() - t) * 1000)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - baseline
print(json.dumps({'ms': statistics.median(times), 'peak_bytes': peak, 'torch': torch.__version__, 'threads': torch.get_num_threads()}))
