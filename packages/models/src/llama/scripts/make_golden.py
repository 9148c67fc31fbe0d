"""Golden references for Llama: tiny random decoders saved with transformers' save_pretrained,
their inputs, logits, loss and the gradient of the loss for every parameter (safetensors).

Eager attention, so a fully masked row (a left-padding query) is the same as ours: every key
gets the same (minimum) score.

Run from the repository root with a Python that has torch, transformers and safetensors:
    python packages/models/src/llama/scripts/make_golden.py
"""
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import DynamicCache, LlamaConfig, LlamaForCausalLM, LlamaForSequenceClassification

OUT = Path(__file__).resolve().parent.parent / "golden"
VOCAB, T, PAD = 64, 7, 0


def config(**kw):
    base = dict(
        vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-6, attention_dropout=0.0,
        pad_token_id=PAD, bos_token_id=1, eos_token_id=2, initializer_range=0.2,
    )
    base.update(kw)
    return LlamaConfig(**base, attn_implementation="eager")


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


def add_prefix_case(model, ids, mask, labels, ins, outs, p=3):
    """Key/value prefixes as PEFT's prefix tuning passes them: a pre-filled cache (already rotated keys),
    the attention mask extended with ones, default positions starting at p."""
    torch.manual_seed(2)
    c = model.config
    kv, d = c.num_key_value_heads, c.hidden_size // c.num_attention_heads
    keys = [torch.randn(1, kv, p, d, requires_grad=True) for _ in range(c.num_hidden_layers)]
    values = [torch.randn(1, kv, p, d, requires_grad=True) for _ in range(c.num_hidden_layers)]
    cache = DynamicCache(config=c)
    for i in range(c.num_hidden_layers):
        cache.update(keys[i].expand(ids.shape[0], -1, -1, -1), values[i].expand(ids.shape[0], -1, -1, -1), i)
    model.zero_grad()
    full_mask = torch.cat([torch.ones(ids.shape[0], p, dtype=mask.dtype), mask], 1)
    out = model(input_ids=ids, attention_mask=full_mask, past_key_values=cache, labels=labels)
    out.loss.backward()
    outs["prefix.logits"] = out.logits.detach().contiguous()
    outs["prefix.loss"] = out.loss.detach().reshape(())
    for n, prm in model.named_parameters():
        outs[f"prefix.grad.{n}"] = prm.grad.detach().contiguous()
    for i in range(c.num_hidden_layers):
        ins[f"prefix_key.{i}"] = keys[i].detach()
        ins[f"prefix_value.{i}"] = values[i].detach()
        outs[f"prefix.grad.prefix_key.{i}"] = keys[i].grad.contiguous()
        outs[f"prefix.grad.prefix_value.{i}"] = values[i].grad.contiguous()


def make(name, model, padding, labels_fn, position_ids=None, prefix=False, generate=False):
    ids, mask = inputs(padding)
    labels = labels_fn(ids, mask)
    model.eval()  # dropout is 0 anyway
    kw = {} if position_ids is None else {"position_ids": position_ids}
    out = model(input_ids=ids, attention_mask=mask, labels=labels, **kw)
    out.loss.backward()
    with torch.no_grad():
        hidden = model.model(input_ids=ids, attention_mask=mask, **kw).last_hidden_state
        # position_ids that restart, no attention_mask: with use_cache=False transformers treats them as
        # packed sequences that do not attend to each other; with a cache (the config default) it does not
        packed = torch.tensor([[0, 1, 2, 0, 1, 2, 3], [0, 1, 2, 3, 4, 0, 1]])
        packed_hidden = model.model(input_ids=ids, position_ids=packed, use_cache=False).last_hidden_state
        restarted_hidden = model.model(input_ids=ids, position_ids=packed).last_hidden_state
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    ins = {"input_ids": ids, "attention_mask": mask, "labels": labels, "packed_position_ids": packed}
    if position_ids is not None:
        ins["position_ids"] = position_ids
    outs = {"logits": out.logits.detach().contiguous(), "loss": out.loss.detach().reshape(()),
            "last_hidden_state": hidden.contiguous(), "packed_last_hidden_state": packed_hidden.contiguous(),
            "restarted_last_hidden_state": restarted_hidden.contiguous()}
    for n, p in model.named_parameters():
        outs[f"grad.{n}"] = p.grad.detach().contiguous()
    if prefix:
        add_prefix_case(model, ids, mask, labels, ins, outs)
    if generate:
        with torch.no_grad():
            prompt = ids[:, :4]  # no padding in the first 4 tokens of either row
            greedy = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_length=12, do_sample=False,
                                    num_beams=1, eos_token_id=5, pad_token_id=PAD)
            beams = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_length=10, do_sample=False,
                                   num_beams=3, eos_token_id=5, pad_token_id=PAD)
        ins["generated_greedy"] = greedy.contiguous()
        ins["generated_beam"] = beams.contiguous()
    save_file(ins, str(folder / "inputs.safetensors"))
    save_file(outs, str(folder / "outputs.safetensors"))
    (folder / "generation_config.json").unlink(missing_ok=True)


if __name__ == "__main__":
    # (a) untied lm_head, q/k/v/o biases, GQA, right padding, labels with -100
    torch.manual_seed(0)
    make("llama-causal-lm", LlamaForCausalLM(config(attention_bias=True, tie_word_embeddings=False)), "right", lm_labels,
         generate=True)
    # (b) tied lm_head, mlp biases, GQA, left padding (positions arange as transformers without position_ids);
    # also with key/value prefixes (prefix tuning)
    torch.manual_seed(0)
    make("llama-tied-left", LlamaForCausalLM(config(tie_word_embeddings=True, mlp_bias=True)), "left", lm_labels,
         prefix=True)
    # (c) llama3 rope scaling, MHA, head_dim != hidden / heads, left padding with explicit position_ids
    torch.manual_seed(0)
    ids, mask = inputs("left")
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    # theta 100, head_dim 8, original length 32: one high (kept), one medium (ramp), two low (divided) frequencies
    rope = {"rope_type": "llama3", "rope_theta": 100.0, "factor": 8.0, "low_freq_factor": 1.0,
            "high_freq_factor": 4.0, "original_max_position_embeddings": 32}
    make("llama-rope-llama3", LlamaForCausalLM(config(num_key_value_heads=4, head_dim=8, rope_parameters=rope,
                                                      tie_word_embeddings=False)),
         "left", lm_labels, position_ids=pos)
    # (d) sequence classification: last non-pad token, right padding
    torch.manual_seed(0)
    make("llama-seqcls", LlamaForSequenceClassification(config(num_labels=3, tie_word_embeddings=False)), "right",
         lambda ids, mask: torch.tensor([2, 0]))
