"""Golden references for Qwen2: tiny random decoders saved with transformers' save_pretrained,
their inputs, logits, hidden states, loss and the gradient of the loss for every parameter
(safetensors).

The q/k/v biases and the RMSNorm weights are drawn at random (transformers starts them at 0 and 1),
so a missing bias or norm weight changes the outputs. Eager attention, so a fully masked row (a
left-padding query) is the same as ours: every key gets the same (minimum) score.

Run from the repository root with a Python that has torch, transformers and safetensors:
    python packages/models/src/qwen2/scripts/make_golden.py
"""
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import Qwen2Config, Qwen2ForCausalLM, Qwen2ForSequenceClassification

OUT = Path(__file__).resolve().parent.parent / "golden"
VOCAB, T, PAD = 64, 7, 0


def config(**kw):
    base = dict(
        vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-6, attention_dropout=0.0,
        pad_token_id=PAD, bos_token_id=1, eos_token_id=2, initializer_range=0.2,
        rope_parameters={"rope_type": "default", "rope_theta": 1000.0},
    )
    base.update(kw)
    return Qwen2Config(**base, attn_implementation="eager")


def randomise(model):
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith(".bias"):
                p.normal_(0, 0.2)
            elif "norm" in n:
                p.copy_(1 + 0.2 * torch.randn_like(p))
    return model


def inputs(padding):
    torch.manual_seed(1)
    ids = torch.randint(3, VOCAB, (2, T))
    mask = torch.ones(2, T, dtype=torch.long)
    if padding == "right":
        ids[1, 5:] = PAD
        mask[1, 5:] = 0
    else:
        ids[1, :2] = PAD
        mask[1, :2] = 0
    return ids, mask


def lm_labels(ids, mask):
    labels = ids.clone()
    labels[mask == 0] = -100
    labels[0, 3] = -100  # an ignored real token too
    return labels


def make(name, model, padding, labels_fn):
    ids, mask = inputs(padding)
    labels = labels_fn(ids, mask)
    model.eval()  # dropout is 0 anyway
    out = model(input_ids=ids, attention_mask=mask, labels=labels)
    out.loss.backward()
    with torch.no_grad():
        hidden = model.model(input_ids=ids, attention_mask=mask).last_hidden_state
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    ins = {"input_ids": ids, "attention_mask": mask, "labels": labels}
    outs = {"logits": out.logits.detach().contiguous(), "loss": out.loss.detach().reshape(()),
            "last_hidden_state": hidden.contiguous()}
    for n, p in model.named_parameters():
        outs[f"grad.{n}"] = p.grad.detach().contiguous()
    save_file(ins, str(folder / "inputs.safetensors"))
    save_file(outs, str(folder / "outputs.safetensors"))
    (folder / "generation_config.json").unlink(missing_ok=True)


if __name__ == "__main__":
    # (a) untied lm_head, GQA, right padding, labels with -100
    torch.manual_seed(0)
    make("qwen2-causal-lm", randomise(Qwen2ForCausalLM(config(tie_word_embeddings=False))), "right", lm_labels)
    # (b) tied lm_head, GQA, left padding (positions arange, as transformers without position_ids)
    torch.manual_seed(0)
    make("qwen2-tied-left", randomise(Qwen2ForCausalLM(config(tie_word_embeddings=True))), "left", lm_labels)
    # (c) sequence classification: last non-pad token, left padding, MHA
    torch.manual_seed(0)
    make("qwen2-seqcls", randomise(Qwen2ForSequenceClassification(config(num_labels=3, num_key_value_heads=4,
                                                                         tie_word_embeddings=False))),
         "left", lambda ids, mask: torch.tensor([2, 0]))
