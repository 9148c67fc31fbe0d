// The functional ops of '@tfjs-peft/ops', by name; its kernel switches are in '@tfjs-peft/core/kernels'.
export {
  linear,
  gelu,
  relu,
  silu,
  activation,
  layerNorm,
  softmax,
  logSoftmax,
  attention,
  MASK_VALUE,
  crossEntropy,
  mse,
  dropout,
  gradients,
  variableGrads,
  reshapeView,
  addBias,
  addResidual,
  scaleShift,
  requiresGrad,
  embedding,
  adamwUpdate,
  loadBackend,
  installNodeWebGPU,
  releaseNodeWebGPU,
  type GeluApproximate,
  type ActivationName,
  type AttentionOptions,
  type CrossEntropyOptions,
  type Reduction,
  type AdamWHyper,
  type BackendName,
  type LoadBackendOptions,
  type NodeWebGPUInfo,
} from '@tfjs-peft/ops';
export { initBackend, currentBackend, AUTO_ORDER, type BackendChoice, type BackendInfo, type InitBackendOptions } from './backend/init-backend';
export { TfjsPeftError, OpInputError, BackendError, GradientError, ShapeError, SafetensorsError, StateDictError, ModulePathError } from './errors';
export { Module } from './module/module';
export {
  COMPONENTS,
  ModelDescriptionError,
  componentRules,
  isLayerNormComponent,
  layerIndexOf,
  requireDescription,
  type AttentionShape,
  type Component,
  type ModelDescription,
  type TargetSpec,
} from './describe/model-description';
export { Parameter } from './module/parameter';
export { cloneModule } from './module/clone';
export { Linear, type LinearOptions } from './layers/linear';
export { LayerNorm, RMSNorm, isAffineNorm, type AffineNorm } from './layers/layer-norm';
export { Embedding } from './layers/embedding';
export { Dropout } from './layers/dropout';
export { manualSeed, nextSeed, getSeedState, setSeedState } from './random';
export { DTYPE_BYTES, halfToFloat, floatToHalf, bf16ToFloat, floatToBf16, type SafetensorsDtype } from './io/dtypes';
export { parseSafetensors, rawToTypedArray, MAX_HEADER_BYTES, type RawTensor, type SafetensorsFile } from './io/safetensors';
export { serializeSafetensors, tensorToRaw, type SerializeOptions } from './io/serialize';
export { readSafetensors, writeSafetensors, encodeSafetensors, readCheckpointWeights, writeCheckpointWeights, SAFE_WEIGHTS_NAME, SAFE_WEIGHTS_INDEX_NAME } from './io/checkpoint';
export { readBytes, readText, writeFileAtomic, joinPath, exists, FileReadError, type ByteSource, type FileLocation } from './io/files';
export { MemoryFolder, MemoryPath } from './io/memory-folder';
export {
  HubFolder,
  HubPath,
  resolvePretrained,
  hubFolder,
  locationName,
  isRepoId,
  repoFolderName,
  hubEndpoint,
  hubCacheDir,
  hubOffline,
  hubToken,
  HubError,
  HubAuthError,
  HubNotFoundError,
  HubNetworkError,
  HubOfflineError,
  HubResponseError,
  type HubOptions,
  type HubProgress,
  type CacheLike,
  type CacheStorageLike,
} from './hub/index';
export { stateDict, loadStateDict, type LoadStateDictOptions, type LoadStateDictResult } from './io/state-dict';
export { countParameters, measurePeakBytes, formatBytes, type ParameterCounts, type PeakMemory } from './accounting';
