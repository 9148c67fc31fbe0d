"""Golden references for CLIP vision: tiny random towers saved with transformers' save_pretrained,
their inputs, outputs (last_hidden_state, pooler_output / image_embeds, every hidden state) and the
gradient of a scalar loss for every parameter; and CLIPImageProcessor's pixel_values.

Model cases (image 32, patch 8, hidden 16, 2 layers, 4 heads, dropout 0, eager attention):
  clip-vision-quick-gelu  CLIPVisionModel, quick_gelu (transformers 5 layout: no vision_model. prefix)
  clip-vision-gelu        CLIPVisionModelWithProjection, gelu, projection_dim 8
  clip-full               a whole CLIPModel (tiny text tower too, logit_scale), quick_gelu
Loss: sum(pooled * W1) + sum(hidden_states[-2] * W2) with fixed random W1, W2 (pooled is
pooler_output, or image_embeds for the projection models), so the gradient reaches every parameter
and the layer LLaVA reads (vision_feature_layer -2).

Processor case clip-processor: transformers 5's CLIPImageProcessorPil (the PIL backend; the default
CLIPImageProcessor backend needs torchvision) on a generated tiny RGB and grey image (their pixels
are stored in inputs.safetensors, so the test runs without ../shared) under three configs
(downscale with a non-square crop, upscale, crop larger than the resized image), and on three real
JPEGs from ../shared/data/vqa_rad/images: once decoded by Pillow, once decoded by jpeg-js (the
decoder @tfjs-peft/datasets uses; run with node from packages/datasets), so the test separates the
processor from the JPEG decoder.

Run from the repository root with a Python that has torch, transformers, safetensors, numpy and
Pillow, and node (for jpeg-js):
    python packages/models/src/clip/scripts/make_golden.py
The cases were made with transformers 5.18, torch 2.13 and Pillow 9.4 (Debian's python3-pil, put on
PYTHONPATH by itself, since the project's venv has no Pillow).
"""
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import CLIPConfig, CLIPModel, CLIPVisionConfig, CLIPVisionModel, CLIPVisionModelWithProjection
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

HERE = Path(__file__).resolve().parent.parent
OUT = HERE / "golden"
REPO = HERE.parents[3]
VQA_RAD = REPO.parent / "shared" / "data" / "vqa_rad" / "images"
JPEGS = ["synpic59536.jpg", "synpic46720.jpg", "synpic100132.jpg"]  # 256x256, 263x324, 2321x1384


def vision_config(**kw):
    base = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4, image_size=32,
                patch_size=8, num_channels=3, projection_dim=8, layer_norm_eps=1e-5, attention_dropout=0.0)
    base.update(kw)
    return base


def clean_config(folder):
    cfg = json.loads((folder / "config.json").read_text())
    cfg.pop("_name_or_path", None)
    (folder / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def run_vision(vision, projection, pixel_values, w1, w2):
    """Outputs and loss of `vision` (a CLIPVisionModel) and an optional projection."""
    out = vision(pixel_values=pixel_values, output_hidden_states=True)
    hs = out.hidden_states
    assert len(hs) == vision.config.num_hidden_layers + 1
    assert torch.equal(hs[-1], out.last_hidden_state)
    with torch.no_grad():
        assert torch.allclose(hs[0], vision.pre_layrnorm(vision.embeddings(pixel_values)))
    pooled = out.pooler_output if projection is None else projection(out.pooler_output)
    loss = (pooled * w1).sum() + (hs[-2] * w2).sum()
    outs = {"last_hidden_state": out.last_hidden_state, "loss": loss.reshape(())}
    outs["pooler_output" if projection is None else "image_embeds"] = pooled
    if projection is not None:
        outs["pooler_output"] = out.pooler_output
    for i, h in enumerate(hs[:-1]):  # hidden_states[-1] is last_hidden_state (asserted above)
        outs[f"hidden_states.{i}"] = h
    return loss, outs


def make_model_case(name, model, vision, projection):
    torch.manual_seed(1)
    c = vision.config
    pixel_values = torch.randn(2, 3, c.image_size, c.image_size)
    width = projection.out_features if projection is not None else c.hidden_size
    w1 = torch.randn(2, width)
    w2 = torch.randn(2, (c.image_size // c.patch_size) ** 2 + 1, c.hidden_size)
    model.eval()
    model.zero_grad()
    loss, outs = run_vision(vision, projection, pixel_values, w1, w2)
    loss.backward()
    outs = {k: v.detach().clone().contiguous() for k, v in outs.items()}
    for n, p in model.named_parameters():
        if p.grad is not None:  # CLIPModel's text tower and logit_scale take no part
            outs[f"grad.{n}"] = p.grad.detach().contiguous()
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    clean_config(folder)
    save_file({"pixel_values": pixel_values, "loss_weight_pooled": w1, "loss_weight_hidden": w2},
              str(folder / "inputs.safetensors"))
    save_file(outs, str(folder / "outputs.safetensors"))


def tiny_images():
    """A smooth 45x30 RGB picture with noise and a 13x17 grey one, made here (no file needed)."""
    g = np.random.default_rng(3)
    y, x = np.mgrid[0:30, 0:45]
    rgb = np.stack([128 + 100 * np.sin(x / 5.0), 128 + 100 * np.cos(y / 4.0), (x * 5 + y * 3) % 256], -1)
    rgb = np.clip(rgb + g.normal(0, 12, rgb.shape), 0, 255).astype(np.uint8)
    grey = g.integers(0, 256, (17, 13), dtype=np.uint8)
    return rgb, grey


def jpegjs_decode(paths):
    """Decodes with jpeg-js as @tfjs-peft/datasets' decodeImage does (RGB, 3 channels)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = (
            "const jpeg = require('jpeg-js'); const fs = require('fs');"
            "const [src, dst] = process.argv.slice(1);"
            "const im = jpeg.decode(fs.readFileSync(src), {useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024});"
            "fs.writeFileSync(dst, Buffer.from(im.data.buffer, im.data.byteOffset, im.data.length));"
            "console.log(im.width + ' ' + im.height);"
        )
        out = []
        for i, p in enumerate(paths):
            dst = Path(tmp) / f"{i}.raw"
            r = subprocess.run(["node", "-e", script, str(p), str(dst)], cwd=REPO / "packages" / "datasets",
                               check=True, capture_output=True, text=True)
            w, h = map(int, r.stdout.split())
            out.append(np.fromfile(dst, dtype=np.uint8).reshape(h, w, 3))
        return out


def make_processor_case():
    folder = OUT / "clip-processor"
    folder.mkdir(parents=True, exist_ok=True)
    rgb, grey = tiny_images()
    ins = {"image.rgb": torch.from_numpy(rgb), "image.grey": torch.from_numpy(grey)}
    outs = {}
    configs = {
        # downscale 45x30 -> 36x24, crop 20 high, 22 wide
        "down": dict(size={"shortest_edge": 24}, crop_size={"height": 20, "width": 22}),
        # upscale 45x30 -> 60x40, square crop
        "up": dict(size={"shortest_edge": 40}, crop_size={"height": 36, "width": 36}),
        # resized smaller than the crop: zero padding
        "pad": dict(size={"shortest_edge": 16}, crop_size={"height": 20, "width": 26}),
    }
    for cname, kw in configs.items():
        proc = CLIPImageProcessorPil(**kw)
        outs[f"{cname}.rgb"] = torch.from_numpy(proc(images=[rgb], return_tensors="np")["pixel_values"])
        outs[f"{cname}.grey"] = torch.from_numpy(proc(images=[Image.fromarray(grey, "L")], return_tensors="np")["pixel_values"])
    meta = {"configs": {k: CLIPImageProcessorPil(**v).to_dict() for k, v in configs.items()}}
    # real JPEGs: a realistic CLIP config at a size that keeps the file small
    jpeg_kw = dict(size={"shortest_edge": 64}, crop_size={"height": 56, "width": 56})
    proc = CLIPImageProcessorPil(**jpeg_kw)
    meta["jpeg_config"] = proc.to_dict()
    meta["jpegs"] = JPEGS
    paths = [VQA_RAD / n for n in JPEGS]
    decoded = jpegjs_decode(paths)
    meta["decoder_max_abs_diff"] = {}
    for n, p, js in zip(JPEGS, paths, decoded):
        pil = Image.open(p)
        pil_rgb = np.asarray(pil.convert("RGB"))
        meta["decoder_max_abs_diff"][n] = int(np.abs(pil_rgb.astype(int) - js.astype(int)).max())
        outs[f"jpeg.{n}.pil"] = torch.from_numpy(proc(images=[pil], return_tensors="np")["pixel_values"])
        outs[f"jpeg.{n}.jpegjs"] = torch.from_numpy(proc(images=[js], return_tensors="np")["pixel_values"])
    for d in [meta["jpeg_config"], *meta["configs"].values()]:
        d.pop("processor_class", None)
    save_file(ins, str(folder / "inputs.safetensors"))
    save_file({k: v.contiguous() for k, v in outs.items()}, str(folder / "outputs.safetensors"))
    (folder / "cases.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    print("jpeg decoders (Pillow vs jpeg-js), max |difference| in levels:", meta["decoder_max_abs_diff"])


if __name__ == "__main__":
    torch.manual_seed(0)
    m = CLIPVisionModel(CLIPVisionConfig(**vision_config(hidden_act="quick_gelu"), attn_implementation="eager"))
    make_model_case("clip-vision-quick-gelu", m, m, None)

    torch.manual_seed(0)
    m = CLIPVisionModelWithProjection(CLIPVisionConfig(**vision_config(hidden_act="gelu", layer_norm_eps=1e-6),
                                                       attn_implementation="eager"))
    make_model_case("clip-vision-gelu", m, m.vision_model, m.visual_projection)

    torch.manual_seed(0)
    text = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=4, vocab_size=50,
                max_position_embeddings=16, bos_token_id=0, eos_token_id=2, pad_token_id=1)
    full = CLIPModel(CLIPConfig(text_config=text, vision_config=vision_config(hidden_act="quick_gelu"), projection_dim=8,
                                attn_implementation="eager"))
    make_model_case("clip-full", full, full.vision_model, full.visual_projection)

    make_processor_case()
