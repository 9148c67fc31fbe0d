"""Golden references for RoPE scaling: transformers' LlamaRotaryEmbedding (inverse frequencies,
attention scaling, cos and sin at a few positions) for the YaRN settings real checkpoints use.

Run from the repository root with a Python that has torch and transformers:
    python packages/models/src/llama/scripts/make_rope_golden.py
"""
import json
from pathlib import Path

import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

OUT = Path(__file__).resolve().parent.parent / "golden" / "rope-scaling.json"
POSITIONS = [[0, 1, 2, 7, 100, 3000, 40000]]


def case(name, head_dim=16, max_pos=4096, top=None, **rope):
    kw = dict(hidden_size=64, num_attention_heads=4, head_dim=head_dim, max_position_embeddings=max_pos,
              rope_parameters=rope, **(top or {}))
    cfg = LlamaConfig(**kw)
    emb = LlamaRotaryEmbedding(cfg)
    x = torch.zeros(1, 1, head_dim)
    cos, sin = emb(x, torch.tensor(POSITIONS))
    raw = {"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "head_dim": head_dim,
           "max_position_embeddings": max_pos, "rope_parameters": rope, **(top or {})}
    return {"name": name, "config": raw, "inv_freq": emb.inv_freq.tolist(), "attention_scaling": float(emb.attention_scaling),
            "positions": POSITIONS, "cos": cos[0].tolist(), "sin": sin[0].tolist()}


cases = [
    # Qwen2.5-style long context
    case("yarn-factor4", rope_type="yarn", rope_theta=1000000.0, factor=4.0, original_max_position_embeddings=1024),
    # DeepSeek-style mscale / mscale_all_dim, no truncation, explicit betas
    case("yarn-mscale", head_dim=32, rope_type="yarn", rope_theta=10000.0, factor=40.0, mscale=0.707, mscale_all_dim=0.707,
         beta_fast=32, beta_slow=1, original_max_position_embeddings=4096, truncate=False, max_pos=163840),
    # an explicit attention_factor
    case("yarn-attention-factor", rope_type="yarn", rope_theta=500000.0, factor=4.0, attention_factor=1.25, original_max_position_embeddings=2048, max_pos=8192),
    # a top-level original_max_position_embeddings wins over the rope field's
    case("yarn-top-level-original", rope_type="yarn", rope_theta=10000.0, factor=8.0, original_max_position_embeddings=512,
         top={"original_max_position_embeddings": 2048}),
]
OUT.write_text(json.dumps({"transformers": __import__("transformers").__version__, "cases": cases}, indent=1) + "\n")
print(f"wrote {OUT} ({len(cases)} cases)")
