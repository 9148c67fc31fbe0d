"""Golden references for generation with a key/value cache: transformers' `generate` (do_sample=False)
on a tiny random Llama and a tiny random Qwen2 with left-padded prompts of different lengths, several
EOS ids, the repetition penalty and beam search; and transformers' logits processors
(RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper) on
recorded scores.

Run from the repository root with a Python that has torch, transformers and safetensors:
    python packages/models/src/llama/scripts/make_generate_golden.py
"""
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM
from transformers.generation.logits_process import (
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

HERE = Path(__file__).resolve().parent.parent
VOCAB, PAD = 64, 0
LENGTHS = [8, 5, 3]


def common():
    return dict(vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-6, attention_dropout=0.0,
                pad_token_id=PAD, bos_token_id=1, eos_token_id=2, initializer_range=0.2, tie_word_embeddings=False)


def prompts():
    torch.manual_seed(1)
    longest = max(LENGTHS)
    ids = torch.full((len(LENGTHS), longest), PAD, dtype=torch.long)
    mask = torch.zeros((len(LENGTHS), longest), dtype=torch.long)
    for i, n in enumerate(LENGTHS):
        ids[i, longest - n:] = torch.randint(3, VOCAB, (n,))
        mask[i, longest - n:] = 1
    return ids, mask


def sensitive_pad(model, ids, mask, eos):
    """A pad id whose repetition penalty on the left padding changes the greedy result (transformers
    penalises every id of input_ids, padding included), so the golden case tells the two apart."""
    for pad in range(1, VOCAB):
        if pad in eos:
            continue
        runs = []
        for fill in (pad, 1 if pad != 1 else 2):
            padded = ids.clone()
            padded[mask == 0] = fill
            runs.append(model.generate(padded, attention_mask=mask, max_new_tokens=10, do_sample=False,
                                       repetition_penalty=1.5, eos_token_id=eos, pad_token_id=pad))
        if not torch.equal(runs[0][:, ids.shape[1]:], runs[1][:, ids.shape[1]:]):
            return pad
    raise RuntimeError("no pad id changes the penalised result")


def make_generation(folder, model, eos):
    """`eos`: ids the runs meet early, chosen so that the beam runs' length penalty and early stopping
    change the result (the script checks it)."""
    model.eval()
    ids, mask = prompts()
    with torch.no_grad():
        pad = sensitive_pad(model, ids, mask, eos)
        runs = {
            "greedy": dict(max_new_tokens=10, pad_token_id=PAD),
            "greedy_repetition": dict(max_new_tokens=10, repetition_penalty=1.5, pad_token_id=pad),
            "beam": dict(max_new_tokens=8, num_beams=4, pad_token_id=PAD),
            "beam_length_penalty": dict(max_new_tokens=8, num_beams=4, length_penalty=2.0, pad_token_id=PAD),
            "beam_early_stopping": dict(max_new_tokens=8, num_beams=4, length_penalty=2.0, early_stopping=True,
                                        pad_token_id=PAD),
            "beam_repetition": dict(max_new_tokens=7, num_beams=2, length_penalty=0.0, repetition_penalty=1.3,
                                    pad_token_id=PAD),
        }
        ins = {"input_ids": ids, "attention_mask": mask, "eos_token_ids": torch.tensor(eos)}
        outs = {}
        for name, kw in runs.items():
            padded = ids.clone()
            padded[mask == 0] = kw["pad_token_id"]
            out = model.generate(padded, attention_mask=mask, do_sample=False, eos_token_id=eos, **kw)
            outs[f"generated.{name}"] = out.to(torch.int32).contiguous()
            ins[f"pad_token_id.{name}"] = torch.tensor(kw["pad_token_id"])
        beams = [outs[f"generated.{n}"].tolist() for n in ("beam", "beam_length_penalty", "beam_early_stopping")]
        assert beams[0] != beams[1] != beams[2], "length_penalty / early_stopping do not change the beam results"
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    save_file(ins, str(folder / "inputs.safetensors"))
    save_file(outs, str(folder / "outputs.safetensors"))
    (folder / "generation_config.json").unlink(missing_ok=True)


def make_processors(folder):
    torch.manual_seed(3)
    scores = torch.randn(4, VOCAB) * 3
    scores[1, :10] = -scores[1, :10].abs()  # negative scores of repeated tokens are multiplied
    input_ids = torch.randint(0, VOCAB, (4, 9))
    ins = {"scores": scores, "input_ids": input_ids}
    outs = {}
    for name, p in {
        "repetition_1.3": RepetitionPenaltyLogitsProcessor(1.3),
        "repetition_0.7": RepetitionPenaltyLogitsProcessor(0.7),
        "temperature_0.6": TemperatureLogitsWarper(0.6),
        "temperature_1.7": TemperatureLogitsWarper(1.7),
        "top_k_1": TopKLogitsWarper(1),
        "top_k_5": TopKLogitsWarper(5),
        "top_k_50": TopKLogitsWarper(50),
        "top_p_0.9": TopPLogitsWarper(0.9),
        "top_p_0.5": TopPLogitsWarper(0.5),
        "top_p_0.05": TopPLogitsWarper(0.05),
    }.items():
        outs[name] = p(input_ids, scores.clone()).contiguous()
    # the order generate applies them in (sampling): repetition, temperature, top-k, top-p
    chained = scores.clone()
    for p in [RepetitionPenaltyLogitsProcessor(1.2), TemperatureLogitsWarper(0.8), TopKLogitsWarper(20),
              TopPLogitsWarper(0.8)]:
        chained = p(input_ids, chained)
    outs["chain"] = chained.contiguous()
    folder.mkdir(parents=True, exist_ok=True)
    save_file(ins, str(folder / "inputs.safetensors"))
    save_file(outs, str(folder / "outputs.safetensors"))


if __name__ == "__main__":
    torch.manual_seed(0)
    make_generation(HERE / "golden" / "llama-generate",
                    LlamaForCausalLM(LlamaConfig(**common(), attention_bias=True, attn_implementation="eager")), [20, 24])
    torch.manual_seed(0)
    qwen2 = Qwen2ForCausalLM(Qwen2Config(**common(), attn_implementation="eager"))
    with torch.no_grad():
        for n, p in qwen2.named_parameters():
            if n.endswith(".bias"):
                p.normal_(0, 0.2)
    make_generation(HERE.parent / "qwen2" / "golden" / "qwen2-generate", qwen2, [28, 41])
    make_processors(HERE / "golden" / "generation-processors")
