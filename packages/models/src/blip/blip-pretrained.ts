import { PreTrainedModel } from '../common/pretrained';
import type { RawConfig } from '../common/config';
import { parseBlipConfig, type BlipConfig } from './config';
import type { LmLossReduction } from './text';

/** What BLIP's VQA and captioning models share: the parsed config, the loss reduction, the tied decoder. */
export class BlipPreTrainedModel extends PreTrainedModel {
  protected static override tiedKeys = [/^text_decoder\.cls\.predictions\.decoder\.(weight|bias)$/];
  readonly c: BlipConfig;
  /** `'mean'` over target tokens (HF) or `'sequence-sum'` (BLIP/MISS training) */
  lossReduction: LmLossReduction = 'mean';

  constructor(config: RawConfig) {
    super(config);
    this.c = parseBlipConfig(config);
  }

  protected override tiedCheckpointKeys(): RegExp[] {
    return this.c.tieWordEmbeddings ? super.tiedCheckpointKeys() : [];
  }
}
