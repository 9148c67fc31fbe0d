"""Golden reference for LlavaProcessor: a processor folder saved by transformers (the SentencePiece-style
BPE tokenizer fixture with an added "<image>" token and a pad token, a CLIPImageProcessor, patch size
4, vision_feature_select_strategy "default", one additional image token for CLS, a chat template),
and what it returns for batches of prompts with images: input_ids, attention_mask, pixel_values;
plus its chat template rendered.

Run from the repository root with a Python that has torch, transformers and safetensors:
    python packages/models/src/llava/scripts/make_processor_golden.py
"""
import json
import shutil
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import AutoTokenizer, CLIPImageProcessor, LlavaProcessor

HERE = Path(__file__).resolve().parent.parent
FIXTURE = HERE.parent / "tokenizer" / "fixtures" / "sentencepiece-bpe"
OUT = HERE / "golden" / "llava-processor"
TEMPLATE = (
    "{% for m in messages %}{{ m['role'].upper() }}: "
    "{% for c in m['content'] %}{% if c['type'] == 'image' %}<image>\n{% else %}{{ c['text'] }}{% endif %}{% endfor %}\n"
    "{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)

if OUT.exists():
    shutil.rmtree(OUT)
tok = AutoTokenizer.from_pretrained(FIXTURE)
tok.add_special_tokens({"additional_special_tokens": ["<image>"], "pad_token": "<pad>"})
tok.padding_side = "left"
ip = CLIPImageProcessor(size={"shortest_edge": 16}, crop_size={"height": 16, "width": 16})
proc = LlavaProcessor(image_processor=ip, tokenizer=tok, patch_size=4, vision_feature_select_strategy="default",
                      num_additional_image_tokens=1, chat_template=TEMPLATE)
proc.save_pretrained(OUT)

rng = np.random.default_rng(0)
images = [rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8) for h, w in [(20, 30), (16, 16), (40, 24)]]
runs = {
    # two prompts, the second with two images; left padding
    "batch": (["<image>\nWhat is shown?", "Compare <image> and <image>: which is larger?"], images),
    # text only
    "text-only": (["no image here", "a longer prompt without any image at all"], None),
}
tensors, cases = {}, {}
for i, im in enumerate(images):
    tensors[f"image.{i}"] = torch.from_numpy(im.copy())
for name, (texts, ims) in runs.items():
    out = proc(text=texts, images=ims, padding=True, return_tensors="pt")
    tensors[f"{name}.input_ids"] = out["input_ids"].to(torch.int32)
    tensors[f"{name}.attention_mask"] = out["attention_mask"].to(torch.int32)
    if ims is not None:
        tensors[f"{name}.pixel_values"] = out["pixel_values"].float()
    cases[name] = {"text": texts, "images": None if ims is None else list(range(len(ims)))}
messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is shown?"}]}]
cases["chat"] = {"messages": messages, "rendered": proc.apply_chat_template(messages, add_generation_prompt=True)}
cases["image_token_id"] = proc.image_token_id
cases["image_tokens_per_image"] = int((tensors["batch.input_ids"][0] == proc.image_token_id).sum())
save_file({k: v.contiguous() for k, v in tensors.items()}, str(OUT.parent / "llava-processor-io.safetensors"))
(OUT.parent / "llava-processor-cases.json").write_text(json.dumps(cases, indent=1) + "\n")
print("wrote", OUT, sorted(p.name for p in OUT.iterdir()), "image tokens per image:", cases["image_tokens_per_image"])
print(cases["chat"]["rendered"])
