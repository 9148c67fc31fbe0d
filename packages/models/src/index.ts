export { ConfigError, ConfigReader, configLabel, setConfigLabel, SUPPORTED_ACTIVATIONS, type RawConfig } from './common/config';
export { PreTrainedModel, readConfig, type FromPretrainedOptions, type LoadingInfo } from './common/pretrained';
export { PatchEmbedding } from './common/patch-embedding';
export { FirstTokenOnlyError } from './common/first-token';
export { ForwardInputKeyError, SNAKE_CASE_INPUTS } from './common/input-keys';
export { classificationLoss, bceWithLogits, type ProblemType } from './common/losses';
