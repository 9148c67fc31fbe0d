"""Golden cases for PEFT on decoder language models: every PEFT method PEFT itself applies to a
tiny random LlamaForCausalLM / Qwen2ForCausalLM (grouped-query attention: 4 query heads, 2
key/value heads), written by PEFT's own save_pretrained with `task_type="CAUSAL_LM"` and default
target modules (PEFT's table for the architecture), with what PEFT computes.

Writes ../golden/<case>/:
  config.json, model.safetensors   the base model (transformers' save_pretrained)
  adapter/                         adapter_config.json + adapter_model.safetensors (PEFT's save_pretrained)
  inputs.safetensors               input_ids, attention_mask (right padding), labels (-100 on padding)
  outputs.safetensors              logits, loss (adapter active), base.logits (disabled),
                                   grad.<adapter key> (named as in adapter_model.safetensors),
                                   merged.logits and merged_param.<hf key> for methods that merge

Run from the repository root with a Python that has torch, transformers and peft:
    python packages/adapters/src/causal-lm/scripts/make_golden.py
"""
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM
from peft import (IA3Config, LNTuningConfig, LoraConfig, PeftModel, PrefixTuningConfig, PromptTuningConfig,
                  get_peft_model)

ROOT = Path(__file__).resolve().parent.parent / "golden"
SIZES = dict(vocab_size=40, hidden_size=16, intermediate_size=24, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, max_position_embeddings=32, rms_norm_eps=1e-6, pad_token_id=0)


def base_model(arch):
    torch.manual_seed(0)
    if arch == "llama":
        model = LlamaForCausalLM(LlamaConfig(**SIZES, tie_word_embeddings=False))
    else:
        model = Qwen2ForCausalLM(Qwen2Config(**SIZES, tie_word_embeddings=True, use_sliding_window=False))
    with torch.no_grad():  # RMSNorm weights start at 1: move them so LN tuning and merges are not trivial
        for n, p in model.named_parameters():
            if "norm" in n:
                p.add_(torch.randn_like(p) * 0.1)
    return model.eval()


def inputs():
    torch.manual_seed(2)
    ids = torch.randint(3, 40, (2, 6))
    mask = torch.ones(2, 6, dtype=torch.long)
    ids[1, 4:] = 0
    mask[1, 4:] = 0
    labels = ids.clone()
    labels[mask == 0] = -100
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def live_name(key, names):
    """PEFT's saved key → the live parameter of the `default` adapter."""
    stem = key[len("base_model.model."):] if key.startswith("base_model.model.") else key
    for cand in (
        key.replace(".lora_A.", ".lora_A.default.").replace(".lora_B.", ".lora_B.default."),
        key + ".default" if key.endswith(".ia3_l") else None,
        key.replace(".ln_tuning_layers.", ".ln_tuning_layers.default."),
        key.replace(".lora_magnitude_vector", ".lora_magnitude_vector.default.weight"),
        "prompt_encoder.default.embedding.weight" if key == "prompt_embeddings" else None,
    ):
        if cand in names:
            return cand
    raise KeyError(f"no live parameter for saved key {key} (stem {stem})")


def make(case, arch, peft_cfg, merges):
    out = ROOT / case
    out.mkdir(parents=True, exist_ok=True)
    base_model(arch).save_pretrained(out, safe_serialization=True)
    cls = LlamaForCausalLM if arch == "llama" else Qwen2ForCausalLM
    x = inputs()
    save_file(x, str(out / "inputs.safetensors"))

    model = get_peft_model(cls.from_pretrained(out), peft_cfg)
    torch.manual_seed(1)
    with torch.no_grad():  # every adapter tensor non-trivial (LoRA B and prefixes start at zero or one)
        for n, p in model.named_parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p) * 0.2)
    model.save_pretrained(out / "adapter")
    (out / "adapter" / "README.md").unlink(missing_ok=True)
    # PEFT records the folder it was given: name the case instead of this machine's path
    cfg_path = out / "adapter" / "adapter_config.json"
    cfg_path.write_text(json.dumps({**json.loads(cfg_path.read_text()), "base_model_name_or_path": out.name}, indent=2, sort_keys=True) + "\n")  # PEFT's model-card template

    if not peft_cfg.is_prompt_learning:  # PEFT loads prompt adapters frozen only: keep the live one
        model = PeftModel.from_pretrained(cls.from_pretrained(out), out / "adapter", is_trainable=True)
    model.eval()
    o = model(**x)
    o.loss.backward()
    p = peft_cfg.num_virtual_tokens if peft_cfg.peft_type.value == "PROMPT_TUNING" else 0
    outs = {"logits": o.logits[:, p:].detach().contiguous(), "loss": o.loss.detach().reshape(())}
    names = dict(model.named_parameters())
    for key in load_file(str(out / "adapter" / "adapter_model.safetensors")):
        outs[f"grad.{key}"] = names[live_name(key, names)].grad.detach().contiguous()
    with torch.no_grad():
        with model.disable_adapter():
            outs["base.logits"] = model(**x).logits.contiguous()
        if merges:
            merged = model.merge_and_unload()
            outs["merged.logits"] = merged(**x).logits.contiguous()
            before = cls.from_pretrained(out).state_dict()
            for k, v in merged.state_dict().items():
                if k in before and not torch.equal(before[k], v):
                    outs[f"merged_param.{k}"] = v.contiguous()
    save_file(outs, str(out / "outputs.safetensors"))
    cfg = json.loads((out / "adapter" / "adapter_config.json").read_text())
    print(case, cfg["peft_type"], cfg.get("target_modules"), sorted(k for k in outs if k.startswith("grad."))[:3], "…")


def main():
    make("peft-lora-llama", "llama", LoraConfig(task_type="CAUSAL_LM", r=4, lora_alpha=8), True)
    make("peft-dora-qwen2", "qwen2", LoraConfig(task_type="CAUSAL_LM", r=4, lora_alpha=8, use_dora=True), True)
    make("peft-ia3-llama", "llama", IA3Config(task_type="CAUSAL_LM"), True)
    make("peft-lntuning-llama", "llama", LNTuningConfig(task_type="CAUSAL_LM"), True)
    make("peft-lntuning-qwen2", "qwen2", LNTuningConfig(task_type="CAUSAL_LM"), True)
    make("peft-prefix-llama", "llama", PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=3), False)
    make("peft-prompt-llama", "llama", PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=3), False)


if __name__ == "__main__":
    main()
