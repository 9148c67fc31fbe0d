"""One BERT sequence-classification training step in PyTorch + transformers, timed as bench:models
times ours: batch × seq random tokens, dropout 0.1, AdamW, median of `--steps` steps after a warm-up.

  python torch_step.py --shape 2,128,2,512 --mode full|LayerNorm-only --batch 8 --seq 128 --steps 3 --threads 2
Prints one JSON line: {"ms": …, "torch": "2.x", "threads": n}.
"""
import argparse
import json
import statistics
import time

import torch
import transformers as T

ap = argparse.ArgumentParser()
ap.add_argument('--shape', required=True)
ap.add_argument('--mode', required=True, choices=['full', 'LayerNorm-only'])
ap.add_argument('--batch', type=int, default=8)
ap.add_argument('--seq', type=int, default=128)
ap.add_argument('--steps', type=int, default=3)
ap.add_argument('--threads', type=int, default=0)
args = ap.parse_args()
if args.threads:
    torch.set_num_threads(args.threads)
L, H, heads, ffn = (int(x) for x in args.shape.split(','))
torch.manual_seed(0)
cfg = T.BertConfig(vocab_size=30522, hidden_size=H, num_hidden_layers=L, num_attention_heads=heads, intermediate_size=ffn,
                   max_position_embeddings=512, num_labels=2, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = T.BertForSequenceClassification(cfg)
model.train()
if args.mode == 'LayerNorm-only':
    for n, p in model.named_parameters():
        p.requires_grad = 'LayerNorm' in n or n.startswith('classifier.')
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=1e-4)
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
print(json.dumps({'ms': statistics.median(times), 'torch': torch.__version__, 'threads': torch.get_num_threads()}))
