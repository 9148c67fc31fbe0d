export { Llama2cFormatError } from './errors';
export { readLlama2cHeader, LLAMA2C_MAGIC, LLAMA2C_V0_HEADER_BYTES, LLAMA2C_V1_HEADER_BYTES, type Llama2cHeader } from './header';
export { llama2cLayout, llama2cFileBytes, type Llama2cSection, type Llama2cWeightName } from './layout';
export { interleavedToHalfRotary, halfToInterleavedRotary } from './rotary-permute';
export { convertLlama2c, LLAMA2C_FLOAT_KEYS, type ConvertLlama2cOptions, type Llama2cConversion } from './convert';
export { convertLlama2cFile, type ConvertLlama2cFileOptions } from './convert-file';
