"""Records which class transformers' Auto classes pick for each model_type tfjs-peft implements.

Run from packages/models with a Python that has transformers installed:

    python src/auto/scripts/auto_mapping.py

It writes auto-mapping.json beside this script, formatted as prettier formats it (the repository's
format check reads it; run `npx prettier --write src/auto/scripts/auto-mapping.json` if a longer
list wraps). For every Auto class (task) in TASKS and every
model_type in MODEL_TYPES it asks the Auto class's own mapping the way `from_pretrained` does
(`CONFIG_MAPPING[model_type]` -> config class -> `cls._model_mapping[config_class]`, the first class
of a tuple when `config.architectures` is empty) and records the class name, or null where
transformers has no class for that pair. `src/auto/registry.test.ts` compares it with
`src/auto/registry.ts`: every registry entry must be transformers' class, and every transformers
class that tfjs-peft exports must be in the registry.
"""

import json
from pathlib import Path

import transformers
from transformers.models.auto import modeling_auto
from transformers.models.auto.configuration_auto import CONFIG_MAPPING

# Auto classes tfjs-peft provides (src/auto/tasks.ts).
TASKS = [
    "AutoModel",
    "AutoModelForPreTraining",
    "AutoModelForCausalLM",
    "AutoModelForMaskedLM",
    "AutoModelForSequenceClassification",
    "AutoModelForTokenClassification",
    "AutoModelForImageClassification",
    "AutoModelForVisualQuestionAnswering",
    "AutoModelForImageTextToText",
]

# model_types of the architecture folders in src/ (and the composite types their configs may carry).
MODEL_TYPES = ["bert", "roberta", "distilbert", "vit", "blip", "llama", "qwen2", "clip", "clip_vision_model", "llava"]


def class_name(auto_cls, model_type):
    mapping = auto_cls._model_mapping
    config_class = CONFIG_MAPPING[model_type]
    if config_class not in mapping:
        return None
    picked = mapping[config_class]
    if isinstance(picked, (list, tuple)):
        picked = picked[0]
    return picked.__name__


def main():
    tasks = {}
    for task in TASKS:
        auto_cls = getattr(modeling_auto, task)
        tasks[task] = {mt: class_name(auto_cls, mt) for mt in MODEL_TYPES}
    out = {"transformers": transformers.__version__, "modelTypes": MODEL_TYPES, "tasks": tasks}
    path = Path(__file__).with_name("auto-mapping.json")
    text = json.dumps(out, indent=2).replace(
        json.dumps(MODEL_TYPES, indent=2).replace("\n", "\n  "), json.dumps(MODEL_TYPES, separators=(", ", ": "))
    )
    path.write_text(text + "\n")
    print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
