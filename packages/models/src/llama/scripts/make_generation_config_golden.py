"""Golden reference for generation_config.json: transformers' `model.generate(input_ids, attention_mask=...)`
with no generation arguments, on the tiny random Llama of golden/llama-generate, once per
generation_config.json below (its values are generate's defaults there, as they must be here).

Run from the repository root with a Python that has torch and transformers:
    python packages/models/src/llama/scripts/make_generation_config_golden.py
"""
import json
import shutil
import tempfile
from pathlib import Path

import torch
from transformers import GenerationConfig, LlamaForCausalLM

HERE = Path(__file__).resolve().parent.parent
SRC = HERE / "golden" / "llama-generate"
OUT = HERE / "golden" / "llama-generation-config.json"
PAD = 0
PROMPTS = [[5, 17, 33, 9, 41, 12], [8, 30, 3], [22, 19, 50, 7]]
CONFIGS = {
    # beam search with a length penalty, several EOS ids and the repetition penalty
    "beams": {"num_beams": 3, "max_new_tokens": 6, "length_penalty": 0.7, "early_stopping": True,
              "repetition_penalty": 1.3, "eos_token_id": [2, 11], "pad_token_id": PAD},
    # greedy with max_length counting the padded prompt, and harmless repeated defaults
    "greedy-max-length": {"max_length": 12, "do_sample": False, "num_return_sequences": 1, "min_length": 0,
                          "eos_token_id": 2, "pad_token_id": PAD, "bos_token_id": 1},
}

longest = max(len(p) for p in PROMPTS)
ids = torch.tensor([[PAD] * (longest - len(p)) + p for p in PROMPTS])
mask = torch.tensor([[0] * (longest - len(p)) + [1] * len(p) for p in PROMPTS])
cases = []
for name, gc in CONFIGS.items():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "m"
        shutil.copytree(SRC, folder)
        GenerationConfig(**gc).save_pretrained(folder)
        saved = json.loads((folder / "generation_config.json").read_text())
        model = LlamaForCausalLM.from_pretrained(folder, attn_implementation="eager").eval()
        with torch.no_grad():
            out = model.generate(ids, attention_mask=mask)
    saved.pop("transformers_version", None)
    seqs = []
    for i, p in enumerate(PROMPTS):
        row = out[i, longest - len(p):].tolist()
        # up to and including the first EOS after the prompt, then no padding (as ours returns them)
        eos = gc["eos_token_id"] if isinstance(gc["eos_token_id"], list) else [gc["eos_token_id"]]
        gen = row[len(p):]
        cut = next((j + 1 for j, t in enumerate(gen) if t in eos), len(gen))
        seqs.append(row[:len(p)] + gen[:cut])
    cases.append({"name": name, "generation_config": saved, "prompts": PROMPTS, "sequences": seqs})
OUT.write_text(json.dumps({"transformers": __import__("transformers").__version__, "checkpoint": "llama-generate", "cases": cases}, indent=1) + "\n")
print(f"wrote {OUT}")
for c in cases:
    print(c["name"], c["generation_config"], c["sequences"])
