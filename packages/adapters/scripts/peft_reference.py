"""Live reference from Python PEFT for @tfjs-peft/adapters' interchange tests.

  python peft_reference.py run MODEL_DIR ADAPTER_DIR OUT_FILE
      BertForSequenceClassification.from_pretrained(MODEL_DIR) + PeftModel.from_pretrained(ADAPTER_DIR),
      eval mode, logits on MODEL_DIR/inputs.safetensors -> OUT_FILE (safetensors, key "logits")
  python peft_reference.py make MODEL_DIR OUT_DIR
      adapters made by PEFT on that model (LORA, LORA with use_dora (DORA/), IA3, LN_TUNING, PREFIX_TUNING, PROMPT_TUNING) with
      non-trivial weights, saved with save_pretrained to OUT_DIR/<type>/, each with expected.safetensors

Needs torch, transformers and peft; the library itself never uses Python.
"""
import os
import sys

import torch
from safetensors.torch import load_file, save_file
import transformers as T
import peft as P


def logits(model, model_dir):
    inputs = load_file(os.path.join(model_dir, 'inputs.safetensors'))
    model.eval()
    with torch.no_grad():
        out = model(input_ids=inputs['input_ids'].long(), attention_mask=inputs['attention_mask'].long())
    return out.logits.contiguous()


def main():
    mode = sys.argv[1]
    if mode == 'run':
        model_dir, adapter_dir, out = sys.argv[2:5]
        base = T.BertForSequenceClassification.from_pretrained(model_dir)
        model = P.PeftModel.from_pretrained(base, adapter_dir)
        save_file({'logits': logits(model, model_dir)}, out)
    elif mode == 'make':
        model_dir, out_dir = sys.argv[2:4]
        configs = {
            'LORA': P.LoraConfig(task_type='SEQ_CLS', r=4, lora_alpha=8, target_modules=['query', 'value'], init_lora_weights=False),
            'DORA': P.LoraConfig(task_type='SEQ_CLS', r=4, lora_alpha=8, target_modules=['query', 'value'], use_dora=True),
            'IA3': P.IA3Config(task_type='SEQ_CLS', target_modules=['key', 'value', 'output.dense'], feedforward_modules=['output.dense'], init_ia3_weights=False),
            'LN_TUNING': P.LNTuningConfig(task_type='SEQ_CLS', target_modules=['LayerNorm']),
            'PREFIX_TUNING': P.PrefixTuningConfig(task_type='SEQ_CLS', num_virtual_tokens=3),
            'PROMPT_TUNING': P.PromptTuningConfig(task_type='SEQ_CLS', num_virtual_tokens=3),
        }
        for name, cfg in configs.items():
            torch.manual_seed(1)
            base = T.BertForSequenceClassification.from_pretrained(model_dir)
            model = P.get_peft_model(base, cfg)
            with torch.no_grad():  # make every adapter tensor non-trivial
                for n, p in model.named_parameters():
                    if p.requires_grad:
                        p.add_(torch.randn_like(p) * 0.1)
            d = os.path.join(out_dir, name)
            model.save_pretrained(d)
            save_file({'logits': logits(model, model_dir)}, os.path.join(d, 'expected.safetensors'))
    print(f'peft {P.__version__}: {mode} done')


if __name__ == '__main__':
    main()
