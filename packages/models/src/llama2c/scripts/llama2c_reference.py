"""llama2.c references for the converter tests (packages/models/src/llama2c/*.test.ts).

llama2.c's own forward pass, written here in float64 numpy straight from a `.bin` (its own parser,
not the converter's): RMSNorm with eps 1e-5, RoPE on interleaved pairs (x[2j], x[2j+1]) with
theta 10000 as run.c computes it, grouped-query attention (query head h reads key/value head
h // (n_heads / n_kv_heads)), SwiGLU w2(silu(w1 x) * w3 x), classifier wcls or the embedding.
transformers' LlamaForCausalLM (float32, eager attention) runs on a converted folder.

Run from the repository root with a Python that has numpy, torch, transformers and safetensors:

    python packages/models/src/llama2c/scripts/llama2c_reference.py synthetic OUT_DIR
        tiny random llama2.c files, packed as llama2.c's export.py `legacy_export` (v0) and
        `version1_export` (v1) write them: v0-tied-gqa, v0-untied-mha, v1-tied-gqa, v1-untied-mqa
    python .../llama2c_reference.py logits OUT.json MODEL.bin CONVERTED_DIR IDS [MODEL.bin CONVERTED_DIR IDS ...]
        [{"llama2c": [[...]], "transformers": [[...]]}, ...]: logits [T, vocab] for comma-separated ids,
        one entry per (file, folder, ids) triple
    python .../llama2c_reference.py golden MODEL.bin IDS OUT.safetensors
        the llama2.c logits as a committed golden (input_ids, logits; metadata: sha256, ids)

The golden beside the tests was made with:
    python packages/models/src/llama2c/scripts/llama2c_reference.py golden \
        ../shared/data/tiny_models/stories260K/stories260K.bin 1,403,407,261,378,8,72,275 \
        packages/models/src/llama2c/golden/stories260K.safetensors
"""
import hashlib
import json
import struct
import sys
from pathlib import Path

import numpy as np

MAGIC = 0x616B3432
FIELDS = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"]


# ---------------------------------------------------------------- reading a .bin (llama2.c's layout)

def read_bin(path):
    data = Path(path).read_bytes()
    (magic,) = struct.unpack_from("<I", data, 0)
    if magic == MAGIC:
        (version,) = struct.unpack_from("<i", data, 4)
        assert version == 1, f"version {version}"
        p = dict(zip(FIELDS, struct.unpack_from("<7i", data, 8)))
        shared = data[36] == 1
        offset = 256
    else:
        version = 0
        p = dict(zip(FIELDS, struct.unpack_from("<7i", data, 0)))
        shared = p["vocab_size"] > 0
        p["vocab_size"] = abs(p["vocab_size"])
        offset = 28
    dim, hidden, L, H, KV, V, S = (p[k] for k in FIELDS)
    hd = dim // H
    kv_dim = hd * KV
    floats = np.frombuffer(data, dtype="<f4", offset=offset).astype(np.float64)
    pos = 0

    def take(*shape):
        nonlocal pos
        n = int(np.prod(shape))
        out = floats[pos : pos + n].reshape(shape)
        pos += n
        return out

    w = {}
    if version == 0:
        w["tok"] = take(V, dim)
        w["rms_att"] = take(L, dim)
        w["wq"], w["wk"], w["wv"], w["wo"] = take(L, dim, dim), take(L, kv_dim, dim), take(L, kv_dim, dim), take(L, dim, dim)
        w["rms_ffn"] = take(L, dim)
        w["w1"], w["w2"], w["w3"] = take(L, hidden, dim), take(L, dim, hidden), take(L, hidden, dim)
        w["rms_final"] = take(dim)
        take(S, hd // 2)  # freq_cis_real (run.c recomputes it)
        take(S, hd // 2)  # freq_cis_imag
    else:
        w["rms_att"], w["rms_ffn"], w["rms_final"] = take(L, dim), take(L, dim), take(dim)
        w["tok"] = take(V, dim)
        w["wq"], w["wk"], w["wv"], w["wo"] = take(L, dim, dim), take(L, kv_dim, dim), take(L, kv_dim, dim), take(L, dim, dim)
        w["w1"], w["w2"], w["w3"] = take(L, hidden, dim), take(L, dim, hidden), take(L, hidden, dim)
    w["wcls"] = w["tok"] if shared else take(V, dim)
    assert pos == floats.size, f"{path}: {floats.size - pos} floats left over"
    return p, w


# ---------------------------------------------------------------- llama2.c's forward, float64

def rmsnorm(x, weight, eps=1e-5):
    return weight * (x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps))


def rope_interleaved(x, n_heads, theta=10000.0):
    """run.c: for i in 0..dim step 2, freq = 1 / theta^((i % head_size) / head_size); rotate (x[i], x[i+1])."""
    T, d = x.shape
    hd = d // n_heads
    x = x.reshape(T, n_heads, hd // 2, 2)
    freq = 1.0 / theta ** (np.arange(0, hd, 2) / hd)
    angle = np.arange(T)[:, None] * freq[None, :]
    c, s = np.cos(angle)[:, None, :], np.sin(angle)[:, None, :]
    x0, x1 = x[..., 0], x[..., 1]
    return np.stack([x0 * c - x1 * s, x0 * s + x1 * c], axis=-1).reshape(T, d)


def llama2c_forward(p, w, ids):
    dim, L, H, KV = p["dim"], p["n_layers"], p["n_heads"], p["n_kv_heads"]
    hd = dim // H
    T = len(ids)
    x = w["tok"][ids].copy()
    causal = np.tril(np.ones((T, T), dtype=bool))
    for l in range(L):
        xb = rmsnorm(x, w["rms_att"][l])
        q = rope_interleaved(xb @ w["wq"][l].T, H)
        k = rope_interleaved(xb @ w["wk"][l].T, KV)
        v = xb @ w["wv"][l].T
        out = np.zeros((T, dim))
        for h in range(H):
            g = h // (H // KV)
            qh, kh, vh = q[:, h * hd : (h + 1) * hd], k[:, g * hd : (g + 1) * hd], v[:, g * hd : (g + 1) * hd]
            scores = np.where(causal, qh @ kh.T / np.sqrt(hd), -np.inf)
            att = np.exp(scores - scores.max(axis=-1, keepdims=True))
            att /= att.sum(axis=-1, keepdims=True)
            out[:, h * hd : (h + 1) * hd] = att @ vh
        x = x + out @ w["wo"][l].T
        xb = rmsnorm(x, w["rms_ffn"][l])
        h1 = xb @ w["w1"][l].T
        x = x + ((h1 / (1 + np.exp(-h1))) * (xb @ w["w3"][l].T)) @ w["w2"][l].T
    return rmsnorm(x, w["rms_final"]) @ w["wcls"].T


# ---------------------------------------------------------------- writing synthetic files (export.py's order)

def f32(a):
    return np.ascontiguousarray(a, dtype="<f4").tobytes()


def synthetic(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cases = {
        "v0-tied-gqa": (0, dict(dim=16, hidden_dim=40, n_layers=2, n_heads=4, n_kv_heads=2, vocab_size=32, seq_len=16), True),
        "v0-untied-mha": (0, dict(dim=16, hidden_dim=24, n_layers=2, n_heads=2, n_kv_heads=2, vocab_size=40, seq_len=12), False),
        "v1-tied-gqa": (1, dict(dim=24, hidden_dim=32, n_layers=2, n_heads=6, n_kv_heads=3, vocab_size=32, seq_len=16), True),
        "v1-untied-mqa": (1, dict(dim=16, hidden_dim=40, n_layers=3, n_heads=4, n_kv_heads=1, vocab_size=36, seq_len=10), False),
    }
    rng = np.random.default_rng(0)
    for name, (version, p, shared) in cases.items():
        dim, hidden, L, H, KV, V, S = (p[k] for k in FIELDS)
        hd, kv_dim = dim // H, dim // H * KV
        n = lambda *s: rng.normal(0, 0.4, s)
        tok, wcls = n(V, dim), n(V, dim)
        rms_att, rms_ffn, rms_final = 1 + n(L, dim) / 2, 1 + n(L, dim) / 2, 1 + n(dim) / 2
        wq, wk, wv, wo = n(L, dim, dim), n(L, kv_dim, dim), n(L, kv_dim, dim), n(L, dim, dim)
        w1, w2, w3 = n(L, hidden, dim), n(L, dim, hidden), n(L, hidden, dim)
        # model.py precompute_freqs_cis, float32
        freqs = 1.0 / (10000.0 ** (np.arange(0, hd, 2)[: hd // 2].astype(np.float32) / hd))
        angle = np.outer(np.arange(S, dtype=np.float32), freqs.astype(np.float32)).astype(np.float32)
        with open(out / f"{name}.bin", "wb") as f:
            if version == 0:  # legacy_export
                f.write(struct.pack("<7i", dim, hidden, L, H, KV, V if shared else -V, S))
                for a in (tok, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, np.cos(angle), np.sin(angle)):
                    f.write(f32(a))
            else:  # version1_export
                f.write(struct.pack("<I", MAGIC) + struct.pack("<i", 1) + struct.pack("<7i", dim, hidden, L, H, KV, V, S))
                f.write(struct.pack("B", int(shared)))
                f.write(b"\0" * (256 - f.tell()))
                for a in (rms_att, rms_ffn, rms_final, tok, wq, wk, wv, wo, w1, w2, w3):
                    f.write(f32(a))
            if not shared:
                f.write(f32(wcls))
    print(json.dumps(sorted(cases)))


# ---------------------------------------------------------------- entry points

def transformers_logits(folder, ids):
    import torch
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(folder, attn_implementation="eager", dtype=torch.float32).eval()
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].double().numpy()


def main(argv):
    cmd = argv[0]
    if cmd == "synthetic":
        synthetic(argv[1])
    elif cmd == "logits":
        out, rest = argv[1], argv[2:]
        assert rest and len(rest) % 3 == 0, "logits OUT.json (MODEL.bin CONVERTED_DIR IDS)+"
        results = []
        for bin_path, folder, ids in zip(rest[0::3], rest[1::3], rest[2::3]):
            ids = [int(i) for i in ids.split(",")]
            p, w = read_bin(bin_path)
            results.append({"llama2c": llama2c_forward(p, w, ids).tolist(), "transformers": transformers_logits(folder, ids).tolist()})
        Path(out).write_text(json.dumps(results))
    elif cmd == "golden":
        from safetensors.numpy import save_file

        bin_path, ids, out = argv[1], [int(i) for i in argv[2].split(",")], argv[3]
        p, w = read_bin(bin_path)
        logits = llama2c_forward(p, w, ids).astype(np.float32)
        sha = hashlib.sha256(Path(bin_path).read_bytes()).hexdigest()
        meta = {"sha256": sha, "ids": ",".join(map(str, ids)), "made_by": "llama2c_reference.py golden (llama2.c forward, float64 numpy)"}
        save_file({"input_ids": np.array([ids], dtype=np.int32), "logits": logits[None]}, out, metadata=meta)
        print(f"wrote {out}: logits {logits.shape}, argmax {logits.argmax(-1).tolist()}")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
