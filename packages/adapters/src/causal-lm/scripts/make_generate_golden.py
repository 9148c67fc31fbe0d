"""Golden `generate` output of Python PEFT with prompt adapters on a decoder: the prefix-tuning and
prompt-tuning adapters of ../golden/peft-prefix-llama and ../golden/peft-prompt-llama (made by
make_golden.py) loaded with PeftModel.from_pretrained, greedy and beam search on left-padded
prompts. Writes ../golden/peft-generate.json.

Run from the repository root with a Python that has torch, transformers and peft:
    python packages/adapters/src/causal-lm/scripts/make_generate_golden.py
"""
import json
from pathlib import Path

import torch
from transformers import LlamaForCausalLM
from peft import PeftModel

ROOT = Path(__file__).resolve().parent.parent / "golden"
PROMPTS = [[5, 9, 14, 3], [7, 21]]


def main():
    ids = torch.tensor([[5, 9, 14, 3], [0, 0, 7, 21]])
    mask = torch.tensor([[1, 1, 1, 1], [0, 0, 1, 1]])
    out = {"prompts": PROMPTS, "input_ids": ids.tolist(), "attention_mask": mask.tolist(), "cases": {}}
    for case in ["peft-prefix-llama", "peft-prompt-llama"]:
        base = LlamaForCausalLM.from_pretrained(ROOT / case)
        model = PeftModel.from_pretrained(base, ROOT / case / "adapter").eval()
        runs = {}
        for name, kw in {"greedy": dict(num_beams=1), "beam": dict(num_beams=3)}.items():
            with torch.no_grad():
                seq = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=6, do_sample=False,
                                     pad_token_id=0, eos_token_id=2, **kw)
            runs[name] = seq.tolist()
        out["cases"][case] = runs
        print(case, runs)
    (ROOT / "peft-generate.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
