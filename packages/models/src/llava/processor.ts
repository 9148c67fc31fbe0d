import * as tf from '@tensorflow/tfjs-core';
import { TfjsPeftError, exists, joinPath, readText, resolvePretrained, type FileLocation, type HubOptions } from '@tfjs-peft/core';
import { ConfigError, ConfigReader, type RawConfig } from '../common/config';
import { CLIPImageProcessor } from '../clip/image-processor';
import { AutoTokenizer, type ApplyChatTemplateOptions, type BatchOptions, type PreTrainedTokenizer } from '../tokenizer/auto-tokenizer';
import type { ChatMessage } from '../tokenizer/chat-template';
import type { RgbImage } from '../vit/image-processor';

/** The prompts name a different number of images than were given; the message says both counts. */
export class ImageCountError extends TfjsPeftError {
  constructor(message: string) {
    super('IMAGE_COUNT_MISMATCH', message);
  }
}

export interface LlavaProcessorSettings {
  /** the vision tower's patch size (HF `patch_size`) */
  patchSize: number;
  /** as the model's config: 'default' drops the CLS position, 'full' keeps it */
  visionFeatureSelectStrategy: 'default' | 'full';
  /** the placeholder in prompts (HF `image_token`, default `<image>`) */
  imageToken: string;
  /** positions the tower adds beside the patches, e.g. 1 for CLIP's CLS (HF `num_additional_image_tokens`) */
  numAdditionalImageTokens: number;
}

export interface LlavaProcessorOutput {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** `[images, 3, H, W]` in the order their placeholders appear; null for text-only prompts */
  pixelValues: tf.Tensor4D | null;
}

async function readJson(file: FileLocation): Promise<{ raw: RawConfig; label: string }> {
  const { text, label } = await readText(file);
  try {
    const raw = JSON.parse(text) as unknown;
    if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`expected a JSON object, got ${JSON.stringify(raw)}`);
    return { raw: raw as RawConfig, label };
  } catch (e) {
    throw new ConfigError(`${label}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * transformers' `LlavaProcessor`: images through the CLIP image processor, and each image
 * placeholder of a prompt expanded to as many placeholders as the tower gives positions for that
 * image (`(H / patch)·(W / patch) + numAdditionalImageTokens`, one fewer with the 'default'
 * strategy), then the prompts tokenized (padding as the tokenizer's config says, LLaVA's
 * checkpoints pad on the left). What `LlavaForConditionalGeneration.forward` / `generate` take.
 */
export class LlavaProcessor {
  readonly imageTokenId: number;
  constructor(
    readonly imageProcessor: CLIPImageProcessor,
    readonly tokenizer: PreTrainedTokenizer,
    readonly settings: LlavaProcessorSettings,
  ) {
    const ids = tokenizer.encode(settings.imageToken, { addSpecialTokens: false });
    if (ids.length !== 1)
      throw new ConfigError(
        `LlavaProcessor: the image token ${JSON.stringify(settings.imageToken)} is ${ids.length} tokens in this tokenizer; it must be one (an added special token)`,
      );
    this.imageTokenId = ids[0]!;
  }

  /**
   * From a processor folder: `processor_config.json` (transformers 5 keeps the image processor in
   * it, under `image_processor`; older folders have `preprocessor_config.json` beside it), the
   * tokenizer files and the chat template.
   */
  static async fromPretrained(nameOrPath: FileLocation, options: HubOptions = {}): Promise<LlavaProcessor> {
    const dir = await resolvePretrained(nameOrPath, options);
    const procFile = joinPath(dir, 'processor_config.json');
    const proc = (await exists(procFile)) ? await readJson(procFile) : { raw: {} as RawConfig, label: `${String(dir)}/processor_config.json` };
    const c = new ConfigReader(proc.raw, proc.label);
    const inner = proc.raw.image_processor;
    const image =
      inner != null && typeof inner === 'object' && !Array.isArray(inner)
        ? CLIPImageProcessor.fromConfig(inner as RawConfig, `${proc.label} image_processor`)
        : await CLIPImageProcessor.fromPretrained(dir, options);
    const strategy = proc.raw.vision_feature_select_strategy ?? 'default';
    if (strategy !== 'default' && strategy !== 'full')
      throw new ConfigError(`${proc.label}: "vision_feature_select_strategy" expected "default" or "full", got ${JSON.stringify(strategy)}`);
    if (proc.raw.patch_size == null)
      throw new ConfigError(
        `${proc.label}: "patch_size" is missing (the vision tower's patch size; older LLaVA folders lack it — pass the settings to new LlavaProcessor(...) instead)`,
      );
    const tokenizer = await AutoTokenizer.fromPretrained(dir, options);
    return new LlavaProcessor(image, tokenizer, {
      patchSize: c.posInt('patch_size'),
      visionFeatureSelectStrategy: strategy,
      imageToken: typeof proc.raw.image_token === 'string' ? proc.raw.image_token : '<image>',
      numAdditionalImageTokens: c.nonNegInt('num_additional_image_tokens', 0),
    });
  }

  /** Placeholders one processed `height × width` image takes in the prompt. */
  imageTokensFor(height: number, width: number): number {
    const s = this.settings;
    const n = Math.floor(height / s.patchSize) * Math.floor(width / s.patchSize) + s.numAdditionalImageTokens;
    return s.visionFeatureSelectStrategy === 'default' ? n - 1 : n;
  }

  /** Each placeholder replaced by `counts[k]` copies, k counting placeholders across the prompts in order. */
  expandImageTokens(texts: string[], counts: number[]): string[] {
    const tok = this.settings.imageToken;
    const found = texts.reduce((n, t) => n + t.split(tok).length - 1, 0);
    if (found !== counts.length)
      throw new ImageCountError(
        `LlavaProcessor: the prompts hold ${found} ${JSON.stringify(tok)} placeholder(s) but ${counts.length} image(s) were given; one placeholder per image, in order`,
      );
    let k = 0;
    return texts.map((t) =>
      t
        .split(tok)
        .map((part, i) => (i === 0 ? part : tok.repeat(counts[k++]!) + part))
        .join(''),
    );
  }

  /** Prompts (one or a batch) with their images → `{ inputIds, attentionMask, pixelValues }`; padding defaults to 'longest'. */
  process(text: string | string[], images: RgbImage[] | null = null, options: BatchOptions = {}): LlavaProcessorOutput {
    const texts = typeof text === 'string' ? [text] : text;
    const pixelValues = images && images.length ? this.imageProcessor.preprocess(images) : null;
    try {
      const [, , h, w] = pixelValues ? pixelValues.shape : [0, 0, 0, 0];
      const counts = pixelValues ? new Array<number>(pixelValues.shape[0]).fill(this.imageTokensFor(h, w)) : [];
      const enc = this.tokenizer.encodeToTensors(this.expandImageTokens(texts, counts), { padding: 'longest', ...options });
      return { inputIds: enc.inputIds as tf.Tensor2D, attentionMask: enc.attentionMask as tf.Tensor2D, pixelValues };
    } catch (e) {
      pixelValues?.dispose();
      throw e;
    }
  }

  /** The tokenizer's chat template (the processor folder's `chat_template.jinja`). */
  applyChatTemplate(messages: ChatMessage[], options: ApplyChatTemplateOptions & { tokenize: false }): string {
    return this.tokenizer.applyChatTemplate(messages, options);
  }
}
