"""The same GLUE fine-tuning with Python transformers + PEFT, for a side-by-side comparison.

  .venv-hf/bin/python examples/glue/scripts/hf_glue.py --task RTE --data ./glue_data --model ./bert-base-uncased \
      --method full,ln-tuning,lora --max-steps 300 --batch-size 16 --max-length 128 --seed 42

Same checkpoint, data files, methods, hyper-parameters (AdamW, weight decay 0.01 except biases and
LayerNorm, linear schedule with 6 % warm-up, clipping at 1.0, per-method learning rates) and seed as
`pnpm --filter @tfjs-peft/example-glue start`; batches are shuffled by torch, so the order differs.
Prints the same table. Needs torch, transformers, peft, scikit-learn, scipy.
"""
import argparse
import csv
import math
import random
import resource
import sys
import time

import torch
import transformers as T
import peft as P
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import f1_score, matthews_corrcoef

csv.field_size_limit(sys.maxsize)
EMBEDDED = __import__('os').path.join(__import__('os').path.dirname(__file__), '..', '..', '..', 'assets', 'bert-tiny-tfjs-peft')

# task: (folder, header, text_a, text_b, label column, labels or None)
TASKS = {
    'CoLA': (False, 3, None, 1, ['0', '1']),
    'SST-2': (True, 'sentence', None, 'label', ['0', '1']),
    'MRPC': (True, '#1 String', '#2 String', 'Quality', ['0', '1']),
    'QQP': (True, 'question1', 'question2', 'is_duplicate', ['0', '1']),
    'STS-B': (True, 'sentence1', 'sentence2', 'score', None),
    'MNLI': (True, 'sentence1', 'sentence2', 'gold_label', ['contradiction', 'entailment', 'neutral']),
    'QNLI': (True, 'question', 'sentence', 'label', ['entailment', 'not_entailment']),
    'RTE': (True, 'sentence1', 'sentence2', 'label', ['entailment', 'not_entailment']),
    'WNLI': (True, 'sentence1', 'sentence2', 'label', ['0', '1']),
}
LRS = {'full': 5e-5, 'ln-tuning': 1e-3, 'lora': 5e-4, 'ia3': 3e-3, 'bitfit': 1e-3, 'prefix-tuning': 1e-2, 'prompt-tuning': 3e-2}
# small models (hidden <= 256, like the embedded 2 x 128 BERT) trained for a few hundred steps want more
LRS_SMALL = {'full': 2e-4, 'ln-tuning': 3e-3, 'lora': 2e-3, 'ia3': 1e-2, 'bitfit': 3e-3, 'prefix-tuning': 1e-2, 'prompt-tuning': 3e-2}


def lr_table(args):
    preset = args.lr_preset
    if preset == 'auto':
        import json
        preset = 'small' if json.load(open(f'{args.model}/config.json')).get('hidden_size', 768) <= 256 else 'base'
    return LRS_SMALL if preset == 'small' else LRS


def load(data, task, split):
    header, a, b, lab, labels = TASKS[task]
    rows = list(csv.reader(open(f'{data}/{task}/{split}.tsv', encoding='utf-8-sig'), delimiter='\t', quoting=csv.QUOTE_NONE))
    cols = rows.pop(0) if header else None
    col = (lambda c: cols.index(c)) if header else (lambda c: c)
    out = []
    for r in rows:
        if not r:
            continue
        y = r[col(lab)].strip()
        out.append((r[col(a)], r[col(b)] if b is not None else None, labels.index(y) if labels else float(y)))
    return out, labels


def peft_config(method):
    if method == 'ln-tuning':
        return P.LNTuningConfig(task_type='SEQ_CLS', target_modules=['LayerNorm'])
    if method == 'lora':
        return P.LoraConfig(task_type='SEQ_CLS', r=8, lora_alpha=16, lora_dropout=0.1, target_modules=['query', 'value'])
    if method == 'ia3':
        return P.IA3Config(task_type='SEQ_CLS', target_modules=['key', 'value', 'output.dense'], feedforward_modules=['output.dense'])
    if method == 'prefix-tuning':
        return P.PrefixTuningConfig(task_type='SEQ_CLS', num_virtual_tokens=10, prefix_projection=True)
    if method == 'prompt-tuning':
        return P.PromptTuningConfig(task_type='SEQ_CLS', num_virtual_tokens=10)
    return None


def metric(task, preds, refs):
    if task == 'CoLA':
        return {'matthews_correlation': matthews_corrcoef(refs, preds)}
    if task == 'STS-B':
        return {'pearson': pearsonr(preds, refs)[0], 'spearmanr': spearmanr(preds, refs)[0]}
    acc = sum(int(p == r) for p, r in zip(preds, refs)) / len(refs)
    if task in ('MRPC', 'QQP'):
        return {'accuracy': acc, 'f1': f1_score(refs, preds)}
    return {'accuracy': acc}


def run(args, method, train, dev, labels):
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    regression = labels is None
    tok = T.AutoTokenizer.from_pretrained(args.model)
    model = T.AutoModelForSequenceClassification.from_pretrained(
        args.model, num_labels=1 if regression else len(labels), ignore_mismatched_sizes=True,
        problem_type='regression' if regression else 'single_label_classification', dtype=torch.float32)
    cfg = peft_config(method)
    if cfg is not None:
        model = P.get_peft_model(model, cfg)
    elif method == 'bitfit':
        for n, p in model.named_parameters():
            p.requires_grad = n.endswith('bias') or n.startswith('classifier.')
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    nodecay = lambda n: n.endswith('bias') or 'LayerNorm' in n or 'ln_tuning' in n
    lr = args.lr or lr_table(args)[method]
    opt = torch.optim.AdamW([{'params': [p for n, p in params if not nodecay(n)], 'weight_decay': 0.01},
                             {'params': [p for n, p in params if nodecay(n)], 'weight_decay': 0.0}], lr=lr)
    sched = T.get_linear_schedule_with_warmup(opt, round(args.max_steps * 0.06), args.max_steps)
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for _, p in params)

    def enc(batch):
        a = [x[0] for x in batch]
        b = [x[1] for x in batch] if batch[0][1] is not None else None
        e = tok(a, b, padding=True, truncation=True, max_length=args.max_length, return_tensors='pt')
        e['labels'] = torch.tensor([x[2] for x in batch], dtype=torch.float if regression else torch.long)
        return e

    model.train()
    losses, times, step, t0 = [], [], 0, time.time()
    while step < args.max_steps:
        order = list(range(len(train)))
        random.shuffle(order)
        for s in range(0, len(order), args.batch_size):
            if step >= args.max_steps:
                break
            t = time.time()
            out = model(**enc([train[i] for i in order[s:s + args.batch_size]]))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in params], 1.0)
            opt.step(); sched.step(); opt.zero_grad()
            losses.append(out.loss.item()); times.append((time.time() - t) * 1000); step += 1
    model.eval()
    preds, refs = [], []
    with torch.no_grad():
        for s in range(0, len(dev), 32):
            batch = dev[s:s + 32]
            logits = model(**{k: v for k, v in enc(batch).items() if k != 'labels'}).logits
            preds += logits[:, 0].tolist() if regression else logits.argmax(-1).tolist()
            refs += [x[2] for x in batch]
    times.sort()
    return {'method': method, 'metrics': metric(args.task, preds, refs), 'trainable': 100 * trainable / total,
            'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'step_ms': times[len(times) // 2],
            'wall_s': time.time() - t0, 'losses': losses}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--task', required=True); ap.add_argument('--data', required=True); ap.add_argument('--model', default=EMBEDDED)
    ap.add_argument('--method', default='full,ln-tuning,lora'); ap.add_argument('--max-steps', type=int, default=300)
    ap.add_argument('--batch-size', type=int, default=16); ap.add_argument('--max-length', type=int, default=128)
    ap.add_argument('--train-limit', type=int); ap.add_argument('--lr', type=float); ap.add_argument('--lr-preset', default='auto', choices=['auto', 'base', 'small']); ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--threads', type=int, help='torch intra-op threads (default: torch\'s choice); 1 matches tfjs wasm, which runs on one core')
    args = ap.parse_args()
    torch.set_num_threads(args.threads or max(1, torch.get_num_threads()))
    train, labels = load(args.data, args.task, 'train')
    if args.train_limit:
        train = train[:args.train_limit]
    dev, _ = load(args.data, args.task, 'dev_matched' if args.task == 'MNLI' else 'dev')
    rows = [run(args, m, train, dev, labels) for m in args.method.split(',')]
    names = list(dict.fromkeys(k for r in rows for k in r['metrics']))
    print('| method | %s | trainable %% | peak process memory | step ms | wall s |' % ' | '.join('%s dev %s' % (args.task, n) for n in names))
    print('|' + '---|' * (len(names) + 5))
    for r in rows:
        vals = ' | '.join('%.4f' % r['metrics'][n] for n in names)
        print('| %s | %s | %.3f%% | %.1f MiB | %.0f | %.1f |' % (r['method'], vals, r['trainable'], r['peak_mib'], r['step_ms'], r['wall_s']))


if __name__ == '__main__':
    main()
