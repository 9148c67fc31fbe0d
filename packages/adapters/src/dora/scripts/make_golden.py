"""Golden case for DoRA: a PEFT `LoraConfig(use_dora=True)` adapter on a tiny random
BertForSequenceClassification, written by PEFT's own save_pretrained, with what PEFT computes.

Writes ../golden/peft-dora-bert/ in the layout of the other PEFT golden cases (peft-golden.test.ts):
  config.json, model.safetensors     the base model (transformers' save_pretrained)
  adapter/                           adapter_config.json + adapter_model.safetensors (PEFT's save_pretrained)
  inputs.safetensors                 input_ids, attention_mask, token_type_ids, labels
  outputs.safetensors                logits, loss, last_hidden_state (adapter active), base.logits (disabled),
                                     grad.<adapter key> (named as in adapter_model.safetensors),
                                     merged.logits and merged_param.<hf key> (after merge_and_unload)

Run from the repository root with a Python that has torch, transformers and peft:
    python packages/adapters/src/dora/scripts/make_golden.py
"""
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import BertConfig, BertForSequenceClassification
from peft import LoraConfig, PeftModel, get_peft_model

OUT = Path(__file__).resolve().parent.parent / "golden" / "peft-dora-bert"


def main():
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=24,
                     max_position_embeddings=16, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, num_labels=3)
    base = BertForSequenceClassification(cfg)
    OUT.mkdir(parents=True, exist_ok=True)
    base.save_pretrained(OUT, safe_serialization=True)

    ids = torch.randint(1, 50, (3, 7))
    mask = torch.ones(3, 7, dtype=torch.long)
    ids[2, 5:] = 0
    mask[2, 5:] = 0
    inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros(3, 7, dtype=torch.long), "labels": torch.tensor([2, 0, 1])}
    save_file(inputs, str(OUT / "inputs.safetensors"))

    # r 4, alpha 8 (scaling 2), query/value/output.dense, DoRA; SEQ_CLS adds the classifier as modules_to_save
    peft_cfg = LoraConfig(task_type="SEQ_CLS", r=4, lora_alpha=8, target_modules=["query", "value", "attention.output.dense"], use_dora=True)
    model = get_peft_model(BertForSequenceClassification.from_pretrained(OUT), peft_cfg)
    torch.manual_seed(1)
    with torch.no_grad():  # every adapter tensor non-trivial (B is zero and m = ‖W‖ at init)
        for n, p in model.named_parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p) * 0.1)
    model.save_pretrained(OUT / "adapter")
    (OUT / "adapter" / "README.md").unlink(missing_ok=True)
    # PEFT records the folder it was given: name the case instead of this machine's path
    cfg_path = OUT / "adapter" / "adapter_config.json"
    cfg_path.write_text(json.dumps({**json.loads(cfg_path.read_text()), "base_model_name_or_path": OUT.name}, indent=2, sort_keys=True) + "\n")  # PEFT's model-card template, not part of the case

    # reload as a user would, and record what PEFT computes
    model = PeftModel.from_pretrained(BertForSequenceClassification.from_pretrained(OUT), OUT / "adapter", is_trainable=True)
    model.eval()
    out = model(**inputs, output_hidden_states=True)
    out.loss.backward()
    outs = {"logits": out.logits.detach().contiguous(), "loss": out.loss.detach().reshape(()),
            "last_hidden_state": out.hidden_states[-1].detach().contiguous()}
    saved = load_file(str(OUT / "adapter" / "adapter_model.safetensors"))
    params = dict(model.named_parameters())
    for key in saved:
        # PEFT's saved key → the live parameter: adapter name back in (lora_X.default.weight,
        # lora_magnitude_vector.default.weight, classifier.modules_to_save.default.*)
        inner = key.replace(".lora_A.", ".lora_A.default.").replace(".lora_B.", ".lora_B.default.")
        if inner.endswith(".lora_magnitude_vector"):
            inner += ".default.weight"
        if ".classifier." in inner:
            inner = inner.replace(".classifier.", ".classifier.modules_to_save.default.")
        outs[f"grad.{key}"] = params[inner].grad.detach().contiguous()
    with torch.no_grad():
        with model.disable_adapter():
            outs["base.logits"] = model(**inputs).logits.contiguous()
        before = {k: v.clone() for k, v in model.get_base_model().state_dict().items()}
        merged = model.merge_and_unload()
        outs["merged.logits"] = merged(**inputs).logits.contiguous()
        for k, v in merged.state_dict().items():
            # merged keys as HF names them; the classifier comes from modules_to_save
            old = before.get(k)
            if old is None:
                old = before.get(k.replace("query.", "query.base_layer.").replace("value.", "value.base_layer.").replace("output.dense.", "output.dense.base_layer.").replace("classifier.", "classifier.original_module."))
            if old is None or not torch.equal(old, v):
                outs[f"merged_param.{k}"] = v.contiguous()
    save_file(outs, str(OUT / "outputs.safetensors"))
    print({k: tuple(v.shape) for k, v in outs.items() if not k.startswith("grad.")})


if __name__ == "__main__":
    main()
