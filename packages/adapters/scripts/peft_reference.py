"""Live reference from Python PEFT for @tfjs-peft/adapters' interchange tests.

  python peft_reference.py run MODEL_DIR ADAPTER_DIR OUT_FILE [MODEL_CLASS]
      MODEL_CLASS.from_pretrained(MODEL_DIR) (default BertForSequenceClassification; LlamaForCausalLM,
      Qwen2ForCausalLM, ... any transformers class) + PeftModel.from_pretrained(ADAPTER_DIR),
      eval mode, logits on MODEL_DIR/inputs.safetensors -> OUT_FILE (safetensors, key "logits")
  python peft_reference.py make MODEL_DIR OUT_DIR [MODEL_CLASS TASK_TYPE]
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
        cls = getattr(T, sys.argv[5] if len(sys.argv) > 5 else 'BertForSequenceClassification')
        base = cls.from_pretrained(model_dir)
        model = P.PeftModel.from_pretrained(base, adapter_dir)
        save_file({'logits': logits(model, model_dir)}, out)
    elif mode == 'make':
        model_dir, out_dir = sys.argv[2:4]
        cls = getattr(T, sys.argv[4] if len(sys.argv) > 4 else 'BertForSequenceClassification')
        task = sys.argv[5] if len(sys.argv) > 5 else 'SEQ_CLS'
        if task == 'SEQ_CLS':
            configs = {
                'LORA': P.LoraConfig(task_type=task, r=4, lora_alpha=8, target_modules=['query', 'value'], init_lora_weights=False),
                'DORA': P.LoraConfig(task_type=task, r=4, lora_alpha=8, target_modules=['query', 'value'], use_dora=True),
                'IA3': P.IA3Config(task_type=task, target_modules=['key', 'value', 'output.dense'], feedforward_modules=['output.dense'], init_ia3_weights=False),
                'LN_TUNING': P.LNTuningConfig(task_type=task, target_modules=['LayerNorm']),
                'PREFIX_TUNING': P.PrefixTuningConfig(task_type=task, num_virtual_tokens=3),
                'PROMPT_TUNING': P.PromptTuningConfig(task_type=task, num_virtual_tokens=3),
            }
        else:  # decoders: PEFT's default targets for the architecture
            configs = {
                'LORA': P.LoraConfig(task_type=task, r=4, lora_alpha=8, init_lora_weights=False),
                'DORA': P.LoraConfig(task_type=task, r=4, lora_alpha=8, use_dora=True),
                'IA3': P.IA3Config(task_type=task, init_ia3_weights=False),
                'LN_TUNING': P.LNTuningConfig(task_type=task),
                'PREFIX_TUNING': P.PrefixTuningConfig(task_type=task, num_virtual_tokens=3),
                'PROMPT_TUNING': P.PromptTuningConfig(task_type=task, num_virtual_tokens=3),
            }
        for name, cfg in configs.items():
            torch.manual_seed(1)
            base = cls.from_pretrained(model_dir)
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
