"""Records what transformers does for causal-LM / SFT data, so the causal-lm tests can check the
TypeScript collator value by value (golden.json, beside this script).

- chat: completion-only labels by prefix tokenization with transformers' own chat templates and
  tokenizers (the repo's tokenizer fixtures, packages/models/src/tokenizer/fixtures): for assistant
  turn k, its tokens run from len(apply_chat_template(messages[:k], add_generation_prompt=True))
  to len(apply_chat_template(messages[:k+1])); every other token is -100. The script checks that
  each prefix is a token prefix of the full rendering (and records the cases where it is not).
- prompt_completion: plain-text prompt/completion as TRL's SFTTrainer tokenizes them
  (tokenizer(prompt) and tokenizer(prompt + completion + eos)), and conversational ones.
- seq2seq_padding: DataCollatorForSeq2Seq(label_pad_token_id=-100) on both padding sides.
- flattening: DataCollatorWithFlattening (input_ids, labels, position_ids) with and without labels.
- length_grouped: torch.randperm under a seeded generator and get_length_grouped_indices
  (LengthGroupedSampler's order) for that permutation.

Run from anywhere with a Python that has torch and transformers:
    python make_golden.py
"""

import json
from pathlib import Path

import torch
import transformers
from transformers import AutoTokenizer, DataCollatorForSeq2Seq, DataCollatorWithFlattening
from transformers.trainer_pt_utils import get_length_grouped_indices

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parents[3] / "models" / "src" / "tokenizer" / "fixtures"

CHATS = [
    [{"role": "user", "content": "Is there a fracture?"}, {"role": "assistant", "content": "No."}],
    [
        {"role": "system", "content": "You answer briefly."},
        {"role": "user", "content": "Is there a fracture?"},
        {"role": "assistant", "content": "No, the bones are intact."},
        {"role": "user", "content": "And the heart?"},
        {"role": "assistant", "content": "The heart is not enlarged."},
    ],
    [
        {"role": "user", "content": "Hello! 😀"},
        {"role": "assistant", "content": "Hi there, how are you doing today?"},
        {"role": "user", "content": "Fine, thanks."},
    ],
]

PROMPT_COMPLETION = [
    {"prompt": "The quick brown fox", "completion": " jumps over the lazy dog."},
    {"prompt": "Hello, world! How are", "completion": " you doing today?"},
]

CONV_PROMPT_COMPLETION = [
    {
        "prompt": [{"role": "user", "content": "Is there a fracture?"}],
        "completion": [{"role": "assistant", "content": "No, the bones are intact."}],
    },
]


def chat_labels(tok, messages):
    full = tok.apply_chat_template(messages, tokenize=True, return_dict=False)
    labels = [-100] * len(full)
    for k, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        prefix = tok.apply_chat_template(messages[:k], tokenize=True, add_generation_prompt=True, return_dict=False) if k > 0 else []
        through = tok.apply_chat_template(messages[: k + 1], tokenize=True, return_dict=False)
        if full[: len(prefix)] != prefix or full[: len(through)] != through:
            return {"messages": messages, "input_ids": full, "error": {"turn": k}}
        labels[len(prefix) : len(through)] = full[len(prefix) : len(through)]
    return {"messages": messages, "input_ids": full, "labels": labels}


def pc_row(ex, prompt, full):
    if full[: len(prompt)] != prompt:  # the prompt's last token merges with the completion's first
        return {**ex, "input_ids": full, "prompt_ids": prompt, "error": True}
    return {**ex, "input_ids": full, "labels": [-100] * len(prompt) + full[len(prompt) :]}


def main():
    out = {"transformers": transformers.__version__, "torch": torch.__version__.split("+")[0]}
    out["chat"] = {}
    out["prompt_completion"] = {}
    for name in ["qwen2-bpe", "sentencepiece-bpe", "unigram"]:
        tok = AutoTokenizer.from_pretrained(FIXTURES / name)
        out["chat"][name] = [chat_labels(tok, c) for c in CHATS]
        rows = []
        for ex in PROMPT_COMPLETION:
            prompt = tok(text=ex["prompt"])["input_ids"]
            full = tok(text=ex["prompt"] + ex["completion"] + tok.eos_token)["input_ids"]
            rows.append(pc_row(ex, prompt, full))
        for ex in CONV_PROMPT_COMPLETION:
            prompt = tok.apply_chat_template(ex["prompt"], tokenize=True, add_generation_prompt=True, return_dict=False)
            full = tok.apply_chat_template(ex["prompt"] + ex["completion"], tokenize=True, return_dict=False)
            rows.append(pc_row(ex, prompt, full))
        out["prompt_completion"][name] = rows

    tok = AutoTokenizer.from_pretrained(FIXTURES / "qwen2-bpe")
    feats = [{"input_ids": r["input_ids"], "labels": r["labels"]} for r in out["chat"]["qwen2-bpe"] if "labels" in r]
    out["seq2seq_padding"] = {}
    for side in ["right", "left"]:
        tok.padding_side = side
        b = DataCollatorForSeq2Seq(tok, label_pad_token_id=-100, return_tensors="np")([dict(f) for f in feats])
        out["seq2seq_padding"][side] = {
            "pad_token_id": tok.pad_token_id,
            "input_ids": b["input_ids"].tolist(),
            "attention_mask": b["attention_mask"].tolist(),
            "labels": b["labels"].tolist(),
        }

    flat_feats = [{"input_ids": [5, 6, 7, 8], "labels": [-100, -100, 7, 8]}, {"input_ids": [9, 10, 11], "labels": [9, 10, 11]}, {"input_ids": [12], "labels": [12]}]
    with_labels = DataCollatorWithFlattening(return_tensors="np")([dict(f) for f in flat_feats])
    without = DataCollatorWithFlattening(return_tensors="np")([{"input_ids": f["input_ids"]} for f in flat_feats])
    out["flattening"] = {
        "features": flat_feats,
        "with_labels": {k: with_labels[k].tolist() for k in ["input_ids", "labels", "position_ids"]},
        "without_labels": {k: without[k].tolist() for k in ["input_ids", "labels", "position_ids"]},
    }

    out["length_grouped"] = []
    for n, bs, seed, mult in [(37, 4, 42, None), (500, 4, 7, None), (120, 3, 0, 5)]:
        g = torch.Generator()
        g.manual_seed(seed)
        lengths = [int(x) for x in torch.randint(1, 200, (n,), generator=torch.Generator().manual_seed(seed + 1))]
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
        order = get_length_grouped_indices(lengths, bs, mega_batch_mult=mult, generator=g)
        out["length_grouped"].append({"lengths": lengths, "batch_size": bs, "mega_batch_mult": mult, "seed": seed, "randperm": perm, "order": order})

    (HERE / "golden.json").write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
