"""Golden references for DistilBERT: tiny random models saved with transformers' save_pretrained,
their inputs, logits, loss and the gradient of the loss for every parameter (safetensors).

Run from the repository root with a Python that has torch, transformers and safetensors:
    python packages/models/src/distilbert/scripts/make_golden.py
"""
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import DistilBertConfig, DistilBertForMaskedLM, DistilBertForSequenceClassification

OUT = Path(__file__).resolve().parent.parent / "golden"


def config(**kw):
    return DistilBertConfig(
        vocab_size=60, dim=16, n_layers=2, n_heads=2, hidden_dim=32, max_position_embeddings=32,
        dropout=0.0, attention_dropout=0.0, seq_classif_dropout=0.0, qa_dropout=0.0, pad_token_id=0, **kw
    )


def make(name, model, labels):
    torch.manual_seed(1)
    ids = torch.randint(1, 60, (2, 7))
    mask = torch.ones(2, 7, dtype=torch.long)
    ids[1, 5:] = 0  # padding
    mask[1, 5:] = 0
    model.eval()  # dropout is 0 anyway
    out = model(input_ids=ids, attention_mask=mask, labels=labels, output_hidden_states=True)
    out.loss.backward()
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    save_file({"input_ids": ids, "attention_mask": mask, "labels": labels}, str(folder / "inputs.safetensors"))
    outs = {"logits": out.logits.detach().contiguous(), "loss": out.loss.detach().reshape(()),
            "last_hidden_state": out.hidden_states[-1].detach().contiguous()}
    for n, p in model.named_parameters():
        outs[f"grad.{n}"] = p.grad.detach().contiguous()
    save_file(outs, str(folder / "outputs.safetensors"))


if __name__ == "__main__":
    torch.manual_seed(0)
    make("distilbert-seqcls", DistilBertForSequenceClassification(config(num_labels=3)), torch.tensor([2, 0]))
    torch.manual_seed(0)
    labels = torch.full((2, 7), -100, dtype=torch.long)
    labels[0, 2] = 5
    labels[0, 4] = 17
    labels[1, 1] = 33
    make("distilbert-mlm", DistilBertForMaskedLM(config()), labels)
