#include "adamw.h"

// No fused multiply-adds: the same roundings as the wasm SIMD module's kernel (bit-identical results).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <algorithm>
#include <cmath>

#include "isa-dispatch.h"
#include "thread-pool.h"

namespace tfjs_peft {
namespace {

// the wasm SIMD module's order of operations (sqrt and division are correctly rounded there too)
TFJS_PEFT_INLINE void adamw_body(const float* __restrict p, const float* __restrict g, const float* __restrict m, const float* __restrict v,
                                 float* __restrict po, float* __restrict mo, float* __restrict vo, size_t n, AdamWStep h) {
  const float a1 = 1.f - h.beta1, a2 = 1.f - h.beta2;
  for (size_t i = 0; i < n; i++) {
    const float gr = g[i];
    const float m1 = h.beta1 * m[i] + a1 * gr;
    const float v1 = h.beta2 * v[i] + a2 * (gr * gr);
    mo[i] = m1;
    vo[i] = v1;
    po[i] = p[i] * h.decay - (h.step * m1) / (std::sqrt(v1) * h.inv_sqrt_c2 + h.eps);
  }
}

using Body = void (*)(const float*, const float*, const float*, const float*, float*, float*, float*, size_t, AdamWStep);

void adamw_generic(const float* p, const float* g, const float* m, const float* v, float* po, float* mo, float* vo, size_t n, AdamWStep h) {
  adamw_body(p, g, m, v, po, mo, vo, n, h);
}
#ifdef TFJS_PEFT_X86
__attribute__((target("avx2,fma"))) void adamw_avx2(const float* p, const float* g, const float* m, const float* v, float* po, float* mo, float* vo, size_t n,
                                                   AdamWStep h) {
  adamw_body(p, g, m, v, po, mo, vo, n, h);
}
__attribute__((target("avx512f"))) void adamw_avx512(const float* p, const float* g, const float* m, const float* v, float* po, float* mo, float* vo, size_t n,
                                                    AdamWStep h) {
  adamw_body(p, g, m, v, po, mo, vo, n, h);
}
#endif

constexpr size_t kChunk = 1 << 16;  // elements per task (7 streams × 256 KiB): amortises a wake-up

}  // namespace

void adamw(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out, float* v_out, size_t n, const AdamWStep& h) {
  const Body f = TFJS_PEFT_PICK(adamw);
  const int tasks = static_cast<int>((n + kChunk - 1) / kChunk);
  const AdamWStep step = h;
  ThreadPool::instance().parallel_for(tasks, [&](int t, int) {
    const size_t i0 = static_cast<size_t>(t) * kChunk;
    const size_t len = std::min(kChunk, n - i0);
    f(p + i0, g + i0, m + i0, v + i0, p_out + i0, m_out + i0, v_out + i0, len, step);
  });
}

}  // namespace tfjs_peft
