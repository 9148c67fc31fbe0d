"""Live reference from Python transformers for @tfjs-peft/models' interchange tests.

  python hf_reference.py make OUT_DIR      tiny random HF models saved with save_pretrained, plus inputs
                                           and transformers' outputs (safetensors), one folder per case
  python hf_reference.py run CASE_DIR      load CASE_DIR (e.g. written by tfjs-peft) with from_pretrained,
                                           run inputs.safetensors, write hf_outputs.safetensors
  python hf_reference.py tokenizer VOCAB_DIR OUT_DIR
                                           BertTokenizerFast from VOCAB_DIR saved to OUT_DIR (tokenizer.json …)
                                           and its encodings of TEXTS in OUT_DIR/expected.json

Needs torch and transformers (see the repository README); the library itself never uses Python.
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file
import transformers as T

BERT = dict(vocab_size=60, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
            max_position_embeddings=24, type_vocab_size=2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
VIT = dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32, image_size=16,
           patch_size=8, num_labels=3, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
BLIP_TEXT = dict(vocab_size=60, hidden_size=16, encoder_hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                 intermediate_size=32, max_position_embeddings=24, hidden_dropout_prob=0.0,
                 attention_probs_dropout_prob=0.0, bos_token_id=1, sep_token_id=3, pad_token_id=0)
BLIP_VISION = dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32, image_size=16,
                   patch_size=8)


ROBERTA = dict(BERT, vocab_size=60, type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2,
               max_position_embeddings=30)


LLAMA = dict(vocab_size=60, hidden_size=16, intermediate_size=24, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, max_position_embeddings=32, pad_token_id=0)
DISTILBERT = dict(vocab_size=60, dim=16, n_layers=2, n_heads=2, hidden_dim=32, max_position_embeddings=24,
                  dropout=0.0, attention_dropout=0.0, seq_classif_dropout=0.0)
CLIP_VISION = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2, image_size=16,
                   patch_size=8, projection_dim=8)

CASES = ['bert-seqcls', 'bert-mlm', 'bert-tokcls', 'vit-imgcls', 'blip-vqa', 'roberta-seqcls', 'roberta-mlm',
         'llama-causal-lm', 'qwen2-causal-lm', 'distilbert-seqcls', 'clip-vision']
ARCHS = {'BertForSequenceClassification': 'bert-seqcls', 'BertForMaskedLM': 'bert-mlm',
         'BertForTokenClassification': 'bert-tokcls', 'ViTForImageClassification': 'vit-imgcls',
         'BlipForQuestionAnswering': 'blip-vqa', 'RobertaForSequenceClassification': 'roberta-seqcls',
         'RobertaForMaskedLM': 'roberta-mlm', 'LlamaForCausalLM': 'llama-causal-lm',
         'Qwen2ForCausalLM': 'qwen2-causal-lm', 'DistilBertForSequenceClassification': 'distilbert-seqcls',
         'CLIPVisionModel': 'clip-vision'}


def build(name):
    if name == 'llama-causal-lm':
        return T.LlamaForCausalLM(T.LlamaConfig(**LLAMA, tie_word_embeddings=False))
    if name == 'qwen2-causal-lm':
        return T.Qwen2ForCausalLM(T.Qwen2Config(**LLAMA, tie_word_embeddings=True))
    if name == 'distilbert-seqcls':
        return T.DistilBertForSequenceClassification(T.DistilBertConfig(**DISTILBERT, num_labels=3))
    if name == 'clip-vision':
        return T.CLIPVisionModel(T.CLIPVisionConfig(**CLIP_VISION))
    if name == 'roberta-seqcls':
        return T.RobertaForSequenceClassification(T.RobertaConfig(**ROBERTA, num_labels=3))
    if name == 'roberta-mlm':
        return T.RobertaForMaskedLM(T.RobertaConfig(**ROBERTA))
    if name == 'bert-seqcls':
        return T.BertForSequenceClassification(T.BertConfig(**BERT, num_labels=3))
    if name == 'bert-mlm':
        return T.BertForMaskedLM(T.BertConfig(**BERT))
    if name == 'bert-tokcls':
        return T.BertForTokenClassification(T.BertConfig(**BERT, num_labels=4))
    if name == 'vit-imgcls':
        return T.ViTForImageClassification(T.ViTConfig(**VIT))
    if name == 'blip-vqa':
        return T.BlipForQuestionAnswering(T.BlipConfig(text_config=BLIP_TEXT, vision_config=BLIP_VISION))
    raise ValueError(name)


def inputs_for(name, g):
    if name.startswith('vit') or name.startswith('clip'):
        return {'pixel_values': torch.randn(2, 3, 16, 16, generator=g)}
    ids = torch.randint(4, 60, (2, 7), generator=g)
    mask = torch.ones(2, 7, dtype=torch.long)
    mask[1, 5:] = 0
    ids[1, 5:] = 1 if name.startswith('roberta') else 0
    if name == 'blip-vqa':
        ans = torch.tensor([[1, 9, 12, 3], [1, 17, 3, 0]])
        return {'pixel_values': torch.randn(2, 3, 16, 16, generator=g), 'input_ids': ids, 'attention_mask': mask,
                'decoder_input_ids': ans, 'decoder_attention_mask': (ans != 0).long()}
    if name.startswith('roberta') or name.startswith('llama') or name.startswith('qwen2') or name.startswith('distilbert'):
        return {'input_ids': ids, 'attention_mask': mask}
    return {'input_ids': ids, 'attention_mask': mask, 'token_type_ids': torch.zeros_like(ids)}


def outputs_of(model, name, inputs):
    model.eval()
    with torch.no_grad():
        if name == 'blip-vqa':
            enc_img = model.vision_model(pixel_values=inputs['pixel_values'])[0]
            q = model.text_encoder(input_ids=inputs['input_ids'], attention_mask=inputs['attention_mask'],
                                   encoder_hidden_states=enc_img, return_dict=False)[0]
            logits = model.text_decoder(input_ids=inputs['decoder_input_ids'],
                                        attention_mask=inputs['decoder_attention_mask'], encoder_hidden_states=q,
                                        encoder_attention_mask=torch.ones_like(inputs['attention_mask']),
                                        return_dict=True, reduction='none').logits
            return {'image_embeds': enc_img, 'question_embeds': q, 'decoder_logits': logits}
        out = model(**inputs)
        if name.startswith('clip'):
            return {'last_hidden_state': out.last_hidden_state, 'pooler_output': out.pooler_output}
        return {'logits': out.logits}


TEXTS = [
    ['Hello, world!', None],
    ['Is there evidence of a pneumothorax in the left lung?', None],
    ['The café’s naïve résumé costs $3.50 — 100% sure.', None],
    ['what modality is used?', 'mri'],
    ['A very long premise that keeps going and going with many words in it, really.', 'short hypothesis'],
    ['中文 字符 and emoji 😀 mixed', None],
]


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == 'tokenizer':
        out = sys.argv[3]
        tok = T.BertTokenizerFast.from_pretrained(path)
        tok.add_special_tokens({'bos_token': '[DEC]', 'additional_special_tokens': ['[ENC]']})
        tok.save_pretrained(out)
        expected = []
        for a, b in TEXTS:
            for trunc in [None, 12]:
                kw = {'truncation': 'longest_first', 'max_length': trunc} if trunc else {}
                e = tok(a, b, **kw)
                expected.append({'text': a, 'pair': b, 'maxLength': trunc, 'inputIds': e['input_ids'],
                                 'tokenTypeIds': e['token_type_ids'],
                                 'decoded': tok.decode(e['input_ids'], skip_special_tokens=True)})
        json.dump(expected, open(os.path.join(out, 'expected.json'), 'w'), ensure_ascii=False, indent=1)
    elif mode == 'make':
        for i, name in enumerate(CASES):
            torch.manual_seed(i)
            g = torch.Generator().manual_seed(100 + i)
            model = build(name)
            d = os.path.join(path, name)
            model.save_pretrained(d)
            inputs = inputs_for(name, g)
            save_file({k: v.contiguous() for k, v in inputs.items()}, os.path.join(d, 'inputs.safetensors'))
            save_file({k: v.contiguous() for k, v in outputs_of(model, name, inputs).items()},
                      os.path.join(d, 'outputs.safetensors'))
    elif mode == 'run':
        arch = json.load(open(os.path.join(path, 'config.json')))['architectures'][0]
        name = ARCHS[arch]
        model = getattr(T, arch).from_pretrained(path)
        inputs = load_file(os.path.join(path, 'inputs.safetensors'))
        save_file({k: v.contiguous() for k, v in outputs_of(model, name, inputs).items()},
                  os.path.join(path, 'hf_outputs.safetensors'))
    print(f'transformers {T.__version__}: {mode} {path} done')


if __name__ == '__main__':
    main()
