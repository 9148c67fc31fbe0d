export * as ref from './reference';
export { numericGrad, dot, assertClose, randomArray } from './grad-check';
export { testBackends, useBackend, read, tolerance, SWIFTSHADER_ICD } from './backends';
export { checkOp, type OpCheck, type OpInput } from './check-op';
