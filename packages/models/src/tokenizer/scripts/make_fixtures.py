"""Builds the tiny tokenizer fixtures in ../fixtures and records what transformers' fast tokenizers
return for a probe set, so that auto-tokenizer.test.ts can check AutoTokenizer value by value.

Each fixture is trained from scratch here with the `tokenizers` library on the text below (no
downloads), saved as tokenizer.json + tokenizer_config.json (+ special_tokens_map.json or
chat_template.jinja for some), then loaded back with transformers' AutoTokenizer
(tokenizer_class PreTrainedTokenizerFast, i.e. the tokenizer.json as written) to record
expected.json.

Run from anywhere with a Python that has `tokenizers` and `transformers`:
    python make_fixtures.py
"""

import json
import os
import shutil
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
import transformers
from transformers import AutoTokenizer

OUT = Path(__file__).resolve().parent.parent / "fixtures"

PARAGRAPHS = [
    "The quick brown fox jumps over the lazy dog. The dog was not amused, and the fox ran away.",
    "Hello, world! How are you doing today? I'm fine, thanks. We've been busy; they'll call later.",
    "Tokenizers split text into pieces: words, sub-words, bytes and characters.",
    "Numbers such as 3.14159, 2026, 1,000,000 and 42 appear in tables, prices ($19.99) and dates (2024-05-17).",
    "Café, naïve, résumé, façade, jalapeño, Zürich, São Paulo, Ærøskøbing and Øresund are written with accents.",
    "Ünïcödé text mixes ÀÉÎÕÜ capitals with ß, œ, æ and the Greek αβγδε, Russian привет мир, Arabic مرحبا.",
    "中文字符在这里出现。我们喜欢学习新的语言。今天天气很好。",
    "日本語の文章も少しあります。東京は大きな都市です。ひらがなとカタカナ。",
    "한국어 문장도 있습니다. 안녕하세요, 반갑습니다.",
    "Emoji are common in chat: 😀 😂 🎉 👍 👍🏽 ❤️ 🚀 and even flags 🇫🇷 🇯🇵.",
    "Code looks like this: def f(x):\n    return x * 2  # double it\n\tindented with a tab",
    "Whitespace   runs   of   spaces,\ttabs\tand\nnew\nlines\r\nmatter to byte-level models.",
    "Patients were asked: is there a fracture? The answer was no, the heart is not enlarged.",
    "A transformer reads tokens, attends to every position, and predicts the next token in the sequence.",
    "Fine-tuning with adapters (LoRA, IA3, prefix tuning) changes only a few parameters of the model.",
    "She said \"yes\", he said 'no', and they both laughed -- what a day... really!?",
    "URLs like https://example.com/path?query=1&x=2 and e-mails like someone@example.org are tricky.",
    "In the beginning the universe was created. This has made a lot of people very angry.",
    "Once upon a time there was a little girl named Lily who loved to play in the park with her ball.",
    "The model learned to count: one two three four five six seven eight nine ten eleven twelve.",
]
TEXT = [p for p in PARAGRAPHS for _ in range(3)]

PROBES = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "  leading and trailing spaces  ",
    "Multiple   spaces\tand\ttabs\nnew\nlines\r\n",
    "Café naïve résumé façade",
    "Cafe\u0301 decomposed accent",
    "ÜNÏCÖDÉ ÀÉÎÕÜ ß",
    "emoji 😀🎉👍🏽 and ❤️ 🇫🇷",
    "中文字符 日本語 한국어",
    "numbers 12345 3.14 1,000,000",
    "don't I'll we've THEY'RE",
    "   ",
    "\n\n",
    "a",
    "",
    "rare glyphs ☃ ∮ ⅧⅨ 𝔘𝔫𝔦",
]

PAIRS = [
    ("is there a fracture?", "no"),
    ("The quick brown fox", "jumps over the lazy dog."),
    ("", "empty first"),
    ("Café 😀", "中文"),
]

BATCH = ["yes", "Hello, world!", "The quick brown fox jumps over the lazy dog.", "中文 😀"]

CHATML = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

LLAMA2_CHAT = (
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
    "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
    "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if loop.index0 == 0 and system_message != false %}"
    "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
    "{% else %}{% set content = message['content'] %}{% endif %}"
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}"
)

# a multi-line template with block tags on their own lines: exercises trim_blocks / lstrip_blocks
ZEPHYR_LIKE = """{% for message in messages %}
    {% if message['role'] == 'user' %}
{{ '<|user|>\\n' + message['content'] + eos_token }}
    {% elif message['role'] == 'system' %}
{{ '<|system|>\\n' + message['content'] + eos_token }}
    {% elif message['role'] == 'assistant' %}
{{ '<|assistant|>\\n'  + message['content'] + eos_token }}
    {% endif %}
    {% if loop.last and add_generation_prompt %}
{{ '<|assistant|>' }}
    {% endif %}
{% endfor %}"""

TOOL_TEMPLATE = "{% for message in messages %}[{{ message['role'] | upper }}] {{ message['content'] }}\n{% endfor %}"

CHATS = [
    [{"role": "user", "content": "Hello! 😀"}],
    [
        {"role": "system", "content": "You answer briefly."},
        {"role": "user", "content": "Is there a fracture?"},
        {"role": "assistant", "content": "No."},
        {"role": "user", "content": "And the heart?  "},
    ],
]
BAD_CHAT = [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]

QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def added(content, id_, special=True, normalized=False, lstrip=False, rstrip=False):
    return {
        "__type": "AddedToken",
        "content": content,
        "lstrip": lstrip,
        "normalized": normalized,
        "rstrip": rstrip,
        "single_word": False,
        "special": special,
    }


def byte_level(name, pre, specials, vocab_size=420, ignore_merges=False, post=None):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    tok.normalizer = normalizers.NFC() if name == "qwen2-bpe" else None
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = post or processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(TEXT, trainer)
    return tok


def sentencepiece_bpe():
    """Llama 2 / TinyLlama layout: <unk> <s> </s>, then the 256 byte tokens, then the pieces."""
    specials = ["<unk>", "<s>", "</s>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    trainer = trainers.BpeTrainer(
        vocab_size=300, special_tokens=specials, limit_alphabet=70, show_progress=False
    )
    tok.train_from_iterator(TEXT, trainer)
    data = json.loads(tok.to_str())
    pieces = sorted(data["model"]["vocab"].items(), key=lambda kv: kv[1])
    vocab = {t: i for i, t in enumerate(specials)}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for t, _ in pieces:
        if t not in vocab:
            vocab[t] = len(vocab)
    data["model"]["vocab"] = vocab
    data["added_tokens"] = [
        {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for t in specials
    ]
    tok = Tokenizer.from_str(json.dumps(data))
    tok.decoder = decoders.Sequence(
        [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
    )
    tok.post_processor = processors.TemplateProcessing(
        single="<s>:0 $A:0", pair="<s>:0 $A:0 <s>:1 $B:1", special_tokens=[("<s>", 1)]
    )
    return tok


def wordpiece():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials, limit_alphabet=120, show_progress=False)
    tok.train_from_iterator(TEXT, trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0",
        pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return tok


def unigram():
    specials = ["<pad>", "</s>", "<unk>"]
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.UnigramTrainer(
        vocab_size=350, special_tokens=specials, unk_token="<unk>", shrinking_factor=0.75, show_progress=False
    )
    tok.train_from_iterator(TEXT, trainer)
    eos = tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="$A:0 </s>:0", pair="$A:0 </s>:0 $B:1 </s>:1", special_tokens=[("</s>", eos)]
    )
    return tok


def fixtures():
    qwen = byte_level(
        "qwen2-bpe",
        pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        ),
        ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
    )
    yield "qwen2-bpe", qwen, {
        "add_prefix_space": False,
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "unk_token": None,
        "errors": "replace",
        "model_max_length": 32768,
        "padding_side": "left",
        "truncation_side": "left",
        "chat_template": CHATML,
        "clean_up_tokenization_spaces": False,
        "split_special_tokens": False,
    }, {}

    llama3 = byte_level(
        "llama3-bpe",
        pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
                pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
            ]
        ),
        ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"],
        ignore_merges=True,
        post=processors.TemplateProcessing(
            single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|>:1 $B:1",
            special_tokens=[("<|begin_of_text|>", 0)],
        ),
    )
    yield "llama3-bpe", llama3, {
        "bos_token": "<|begin_of_text|>",
        "eos_token": "<|eot_id|>",
        "model_max_length": 131072,
        "clean_up_tokenization_spaces": True,
        "model_input_names": ["input_ids", "attention_mask"],
    }, {"special_tokens_map.json": {"bos_token": added("<|begin_of_text|>", 0), "eos_token": "<|eot_id|>", "pad_token": "<|end_of_text|>"}}

    gpt2 = byte_level(
        "gpt2-bpe",
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ["<|endoftext|>"],
        vocab_size=380,
    )
    eot = added("<|endoftext|>", 0)
    yield "gpt2-bpe", gpt2, {
        "add_prefix_space": False,
        "bos_token": eot,
        "eos_token": eot,
        "unk_token": eot,
        "model_max_length": 1024,
    }, {}

    yield "sentencepiece-bpe", sentencepiece_bpe(), {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": added("<s>", 1),
        "eos_token": added("</s>", 2),
        "unk_token": added("<unk>", 0),
        "pad_token": None,
        "legacy": False,
        "model_max_length": 2048,
        "padding_side": "right",
        "chat_template": LLAMA2_CHAT,
        "clean_up_tokenization_spaces": False,
        "sp_model_kwargs": {},
    }, {}

    yield "wordpiece", wordpiece(), {
        "cls_token": "[CLS]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "unk_token": "[UNK]",
        "mask_token": "[MASK]",
        "do_lower_case": True,
        "model_max_length": 24,
        "clean_up_tokenization_spaces": True,
        "tokenize_chinese_chars": True,
    }, {"chat_template.jinja": ZEPHYR_LIKE.replace("eos_token", "sep_token")}

    yield "unigram", unigram(), {
        "eos_token": "</s>",
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "model_max_length": 512,
        "padding_side": "left",
        "chat_template": [{"name": "default", "template": ZEPHYR_LIKE}, {"name": "tool_use", "template": TOOL_TEMPLATE}],
        "extra_special_tokens": {},
    }, {}


def record(folder: Path):
    t = AutoTokenizer.from_pretrained(str(folder))
    specials = {}
    for name in ["bos", "eos", "unk", "pad", "cls", "sep", "mask"]:
        specials[f"{name}_token"] = getattr(t, f"{name}_token")
        specials[f"{name}_token_id"] = getattr(t, f"{name}_token_id")
    out = {
        "transformers": transformers.__version__,
        "class": type(t).__name__,
        "vocab_size": t.vocab_size,
        "len": len(t),
        "model_max_length": t.model_max_length,
        "padding_side": t.padding_side,
        "truncation_side": t.truncation_side,
        "specials": specials,
        "all_special_ids": sorted(t.all_special_ids),
    }
    special_strings = " ".join(str(s) for s in t.all_special_tokens)
    probes = PROBES + [f"specials in text: {special_strings} end", f"{t.all_special_tokens[0]}glued{t.all_special_tokens[-1]}x"]
    out["encode"] = [
        {
            "text": p,
            "ids": t.encode(p),
            "ids_plain": t.encode(p, add_special_tokens=False),
            "tokens": t.convert_ids_to_tokens(t.encode(p, add_special_tokens=False)),
        }
        for p in probes
    ]
    decode_cases = [e["ids"] for e in out["encode"]] + [list(range(0, min(40, len(t)))), list(range(len(t) - 30, len(t)))]
    out["decode"] = [
        {
            "ids": ids,
            "text": t.decode(ids),
            "text_skip": t.decode(ids, skip_special_tokens=True),
        }
        for ids in decode_cases
    ]
    out["pairs"] = []
    for a, b in PAIRS:
        e = t(a, b)
        out["pairs"].append({"a": a, "b": b, "input_ids": e["input_ids"], "token_type_ids": e.get("token_type_ids"), "attention_mask": e["attention_mask"]})
    sample = out["encode"][1]["tokens"][:3]
    out["convert_tokens_to_ids"] = {"tokens": sample + ["definitely-not-a-token"], "ids": t.convert_tokens_to_ids(sample + ["definitely-not-a-token"])}
    batch_cases = [
        {"padding": True},
        {"padding": "longest", "padding_side": "left"},
        {"padding": "longest", "padding_side": "right"},
        {"padding": "max_length", "max_length": 20},
        {"padding": True, "truncation": True, "max_length": 6},
        {"padding": True, "truncation": True, "max_length": 6, "truncation_side": "left"},
        {"truncation": True, "max_length": 5},
        {"padding": False},
        {"padding": True, "add_special_tokens": False},
    ]
    out["batch"] = []
    for kw in batch_cases:
        args = dict(kw)
        side = args.pop("truncation_side", None)
        if side:
            old, t.truncation_side = t.truncation_side, side
        try:
            e = t(BATCH, **args)
            out["batch"].append({"texts": BATCH, "options": kw, "input_ids": e["input_ids"], "attention_mask": e["attention_mask"], "token_type_ids": e.get("token_type_ids")})
        except ValueError as err:
            out["batch"].append({"texts": BATCH, "options": kw, "error": str(err).split("\n")[0]})
        finally:
            if side:
                t.truncation_side = old
    pair_batch = [list(p) for p in PAIRS]
    out["pair_batch"] = []
    for kw in [{"padding": True}, {"padding": True, "truncation": True, "max_length": 7}, {"truncation": "only_second", "max_length": 6}, {"truncation": "only_first", "max_length": 7}]:
        try:
            e = t([p[0] for p in pair_batch[:2]], [p[1] for p in pair_batch[:2]], **kw)
            out["pair_batch"].append({"pairs": pair_batch[:2], "options": kw, "input_ids": e["input_ids"], "attention_mask": e["attention_mask"], "token_type_ids": e.get("token_type_ids")})
        except Exception as err:
            out["pair_batch"].append({"pairs": pair_batch[:2], "options": kw, "error": str(err).split("\n")[0]})
    out["chat"] = []
    if t.chat_template is not None:
        for chat in CHATS:
            for gen in [False, True]:
                text = t.apply_chat_template(chat, tokenize=False, add_generation_prompt=gen)
                ids = t.apply_chat_template(chat, tokenize=True, add_generation_prompt=gen, return_dict=False)
                out["chat"].append({"messages": chat, "add_generation_prompt": gen, "text": text, "ids": ids})
        if isinstance(t.chat_template, dict):
            out["chat_named"] = {"name": "tool_use", "messages": CHATS[1], "text": t.apply_chat_template(CHATS[1], chat_template="tool_use", tokenize=False)}
        try:
            t.apply_chat_template(BAD_CHAT, tokenize=False)
            out["chat_error"] = None
        except Exception as err:
            out["chat_error"] = {"messages": BAD_CHAT, "message": str(err)}
    return out


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    for name, tok, config, extra in fixtures():
        folder = OUT / name
        folder.mkdir(parents=True)
        (folder / "tokenizer.json").write_text(tok.to_str(pretty=False), encoding="utf-8")
        cfg = {"tokenizer_class": "PreTrainedTokenizerFast", **config}
        (folder / "tokenizer_config.json").write_text(json.dumps(cfg, ensure_ascii=False, indent=1), encoding="utf-8")
        for file, content in extra.items():
            text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, indent=1)
            (folder / file).write_text(text, encoding="utf-8")
        expected = record(folder)
        (folder / "expected.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
        print(f"{name}: vocab {expected['vocab_size']} (+{expected['len'] - expected['vocab_size']} added), {expected['class']}")
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"fixtures: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
