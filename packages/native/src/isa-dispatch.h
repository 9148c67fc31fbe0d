// What the element-wise kernels share: a forced-inline marker, and picking a kernel's variant for
// the micro-kernel family the matrix product uses (the tests force lower ones through set_gemm_isa).
// A kernel defines `name_generic` and, where TFJS_PEFT_X86 is set, `name_avx2` and `name_avx512`
// (the same body compiled with target attributes); `TFJS_PEFT_PICK(name)` returns the one to run.
#pragma once
#include <cstring>

#include "gemm.h"

#if defined(__GNUC__)
#define TFJS_PEFT_INLINE inline __attribute__((always_inline))
#else
#define TFJS_PEFT_INLINE inline
#endif

// the AVX variants use GCC/Clang function attributes; other compilers (MSVC) build the generic one
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TFJS_PEFT_X86 1
#endif

namespace tfjs_peft {

template <typename F>
F pick_for_isa(F generic, F avx2, F avx512) {
  if (std::strcmp(gemm_isa(), "avx512") == 0) return avx512;
  if (std::strcmp(gemm_isa(), "avx2") == 0) return avx2;
  return generic;
}

}  // namespace tfjs_peft

#ifdef TFJS_PEFT_X86
#define TFJS_PEFT_PICK(name) pick_for_isa(name##_generic, name##_avx2, name##_avx512)
#else
#define TFJS_PEFT_PICK(name) name##_generic
#endif
