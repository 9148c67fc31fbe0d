"""Golden references for LLaVA: tiny random LlavaForConditionalGeneration models (CLIP vision tower,
projector, Llama language model) saved with transformers, their inputs, logits, loss and the
gradient of the loss for every parameter (safetensors).

Every case: CLIP image 16, patch 8 (4 patches), hidden 16, 2 layers, 4 heads, quick_gelu; Llama
vocab 64, hidden 16, 2 layers, 4 heads, 2 key/value heads (GQA); dropout 0, eager attention.
Labels are -100 except the answer (the tokens after the last image placeholder's prompt).

  llava-default      vision_feature_layer -2, select "default" (CLS dropped), projector gelu with
                     bias; batch 2, one image per row, row 1 left-padded. Saved in the module-name
                     layout (model.language_model.*, model.vision_tower.*, model.multi_modal_projector.*,
                     lm_head.*: the keys of transformers 5's state_dict).
  llava-full-layers  vision_feature_layer [-3, -1] (concatenated), select "full" (CLS kept), projector
                     without bias, tie_word_embeddings (from text_config); batch 1 with two images in
                     one row. Saved by save_pretrained as transformers 5.18 writes it: it reverses its
                     llava key mapping on save (language_model.model.*, language_model.lm_head.*,
                     vision_tower.*, multi_modal_projector.*).
  llava-legacy       vision_feature_layer -1, "default", projector silu; saved in the transformers 4
                     layout (language_model.model.*, language_model.lm_head.*,
                     vision_tower.vision_model.*, multi_modal_projector.*) by renaming the keys here.

llava-default and llava-full-layers also record transformers' generate (max_new_tokens 6, checked equal
without the cache) from their rows without the answer, left padded (generate.input_ids,
generate.attention_mask; generated.greedy, generated.beam: the new tokens): greedy on both, beam search
with 2 beams on llava-default only. (transformers expands pixel_values per beam with repeat_interleave,
which pairs the beams of a row holding two images with the wrong images, so it is not a reference there.)

Each folder is loaded back with transformers' from_pretrained and checked (no missing or unexpected
keys, the same logits) before it is kept. Gradients transformers leaves as None (the tower's
post_layernorm and layers after the feature layer take no part) are not written.

Run from the repository root with a Python that has torch, transformers and safetensors:
    python packages/models/src/llava/scripts/make_golden.py
"""
import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import LlavaConfig, LlavaForConditionalGeneration

OUT = Path(__file__).resolve().parent.parent / "golden"
VOCAB, IMAGE_TOKEN, PAD = 64, 63, 0


def config(**kw):
    vision = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4, image_size=16,
                  patch_size=8, num_channels=3, projection_dim=8, hidden_act="quick_gelu", layer_norm_eps=1e-5,
                  attention_dropout=0.0)
    text = dict(model_type="llama", vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-6,
                attention_dropout=0.0, pad_token_id=PAD, bos_token_id=1, eos_token_id=2, initializer_range=0.2,
                tie_word_embeddings=kw.pop("tie", False))
    return LlavaConfig(vision_config=vision, text_config=text, image_token_index=IMAGE_TOKEN, image_seq_length=4, **kw,
                       attn_implementation="eager")


def clean_config(folder):
    cfg = json.loads((folder / "config.json").read_text())
    cfg.pop("_name_or_path", None)
    (folder / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def row(prompt, images, per, answer):
    """[prompt tokens] [per placeholders per image] ... [answer]; the label mask keeps the answer only."""
    ids, keep = [], []
    for i in range(images):
        ids += prompt[i] + [IMAGE_TOKEN] * per
        keep += [False] * (len(prompt[i]) + per)
    ids += answer
    keep += [True] * len(answer)
    return ids, keep


def rename_t4(k):
    if k.startswith("model.language_model."):
        return "language_model.model." + k[len("model.language_model."):]
    if k.startswith("lm_head."):
        return "language_model." + k
    if k.startswith("model.vision_tower."):
        return "vision_tower.vision_model." + k[len("model.vision_tower."):]
    return k[len("model."):]


def left_pad(rows):
    """Token lists left-padded with PAD, and their attention mask."""
    n = max(len(r) for r in rows)
    ids = torch.full((len(rows), n), PAD, dtype=torch.long)
    mask = torch.zeros(len(rows), n, dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, n - len(r):] = torch.tensor(r)
        mask[b, n - len(r):] = 1
    return ids, mask


def record_generate(model, pixel_values, prompts, ins, outs, beams):
    """transformers' generate (greedy, and beam search with `beams`) on the prompts (the rows without their answer)."""
    ids, mask = left_pad(prompts)
    ins["generate.input_ids"], ins["generate.attention_mask"] = ids, mask
    runs = {"greedy": {}, "beam": dict(num_beams=2)} if beams else {"greedy": {}}
    for run, kw in runs.items():
        seq = model.generate(input_ids=ids, attention_mask=mask, pixel_values=pixel_values, max_new_tokens=6,
                             do_sample=False, eos_token_id=2, pad_token_id=PAD, **kw)
        outs[f"generated.{run}"] = seq[:, ids.shape[1]:].contiguous()
        nocache = model.generate(input_ids=ids, attention_mask=mask, pixel_values=pixel_values, max_new_tokens=6,
                                 do_sample=False, eos_token_id=2, pad_token_id=PAD, use_cache=False, **kw)
        assert torch.equal(nocache, seq), run


def make(name, model, rows, layout, seed=1, prompts=None, beams=False):
    """rows: (ids, keep) per batch row, left-padded to one length; prompts: also record generate from them."""
    per_len = max(len(r[0]) for r in rows)
    ids = torch.full((len(rows), per_len), PAD, dtype=torch.long)
    mask = torch.zeros(len(rows), per_len, dtype=torch.long)
    labels = torch.full((len(rows), per_len), -100, dtype=torch.long)
    for b, (r, keep) in enumerate(rows):
        off = per_len - len(r)
        ids[b, off:] = torch.tensor(r)
        mask[b, off:] = 1
        labels[b, off:] = torch.where(torch.tensor(keep), torch.tensor(r), torch.tensor(-100))
    images = int((ids == IMAGE_TOKEN).sum()) // (4 + (model.config.vision_feature_select_strategy == "full"))
    torch.manual_seed(seed)
    c = model.config.vision_config
    pixel_values = torch.randn(images, 3, c.image_size, c.image_size)
    model.eval()
    model.zero_grad()
    out = model(input_ids=ids, pixel_values=pixel_values, attention_mask=mask, labels=labels)
    out.loss.backward()
    outs = {"logits": out.logits.detach().contiguous(), "loss": out.loss.detach().reshape(()),
            "image_hidden_states": out.image_hidden_states.detach().contiguous()}
    no_grad = []
    for n, p in model.named_parameters():
        if p.grad is None:
            no_grad.append(n)
        else:
            outs[f"grad.{n}"] = p.grad.detach().contiguous()
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    model.save_pretrained(folder, safe_serialization=True)
    clean_config(folder)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    if model.config.tie_word_embeddings:
        state.pop("lm_head.weight")
    if layout == "modules":
        save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    elif layout == "t4":
        save_file({rename_t4(k): v for k, v in state.items()}, str(folder / "model.safetensors"), metadata={"format": "pt"})
    keys = sorted(load_file(str(folder / "model.safetensors")).keys())
    back, info = LlavaForConditionalGeneration.from_pretrained(folder, output_loading_info=True, attn_implementation="eager")
    assert not info["missing_keys"] and not info["unexpected_keys"], info
    with torch.no_grad():
        again = back(input_ids=ids, pixel_values=pixel_values, attention_mask=mask).logits
    assert torch.allclose(again, out.logits, atol=1e-6), name
    ins = {"input_ids": ids, "pixel_values": pixel_values, "attention_mask": mask, "labels": labels}
    if prompts is not None:
        with torch.no_grad():
            record_generate(back, pixel_values, prompts, ins, outs, beams)
    save_file(ins, str(folder / "inputs.safetensors"))
    save_file(outs, str(folder / "outputs.safetensors"))
    print(name, layout, "keys e.g.", keys[0], keys[-1], "| no grad:", no_grad)


if __name__ == "__main__":
    torch.manual_seed(0)
    m = LlavaForConditionalGeneration(config(vision_feature_layer=-2, vision_feature_select_strategy="default",
                                             projector_hidden_act="gelu"))
    rows = [row([[1, 5, 9]], 1, 4, [11, 12, 2]), row([[1, 7]], 1, 4, [13, 2])]
    make("llava-default", m, rows, "modules", prompts=[r[:-3] for r, _ in rows[:1]] + [r[:-2] for r, _ in rows[1:]],
         beams=True)

    torch.manual_seed(0)
    m = LlavaForConditionalGeneration(config(vision_feature_layer=[-3, -1], vision_feature_select_strategy="full",
                                             multimodal_projector_bias=False, tie=True))
    rows = [row([[1, 5], [8, 9]], 2, 5, [21, 22, 2])]
    make("llava-full-layers", m, rows, "save_pretrained", prompts=[rows[0][0][:-3]])

    torch.manual_seed(0)
    m = LlavaForConditionalGeneration(config(vision_feature_layer=-1, projector_hidden_act="silu"))
    make("llava-legacy", m, [row([[1, 4]], 1, 4, [30, 31, 2]), row([[1, 6, 7]], 1, 4, [32, 2])], "t4")
