#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "isa-dispatch.h"
#include "thread-pool.h"

namespace tfjs_peft {
namespace {

// erf by Eigen's rational approximation on [−4, 4] (|error| < 1e-7; ±1 beyond): the same as the
// wasm SIMD module's, written so compilers vectorise it (selects instead of fminf/fmaxf).
TFJS_PEFT_INLINE float erf_approx(float a) {
  float x = a < -4.f ? -4.f : a;
  x = x > 4.f ? 4.f : x;
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  p = p * x;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return p / q;
}

// exp by Cephes' expf: x = k·ln2 + r, a degree-5 polynomial in r, 2^k from the exponent bits.
TFJS_PEFT_INLINE float exp_approx(float a) {
  float x0 = a > 88.3762626647949f ? 88.3762626647949f : a;
  x0 = x0 < -87.3365447504019f ? -87.3365447504019f : x0;
  const float k = std::floor(x0 * 1.44269504088896341f + 0.5f);
  const int32_t ki = static_cast<int32_t>(k);
  float x = x0 - k * 0.693359375f;
  x = x - k * -2.12194440e-4f;
  const float z = x * x;
  float y = 1.9875691500e-4f;
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * z + x + 1.f;
  const int32_t bits = (ki + 127) << 23;
  float pow2;
  std::memcpy(&pow2, &bits, sizeof pow2);
  return y * pow2;
}

constexpr float kSqrt1_2 = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

TFJS_PEFT_INLINE void gelu_forward_body(const float* __restrict x, float* __restrict y, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    y[i] = 0.5f * v * (1.f + erf_approx(v * kSqrt1_2));
  }
}

TFJS_PEFT_INLINE void gelu_backward_body(const float* __restrict dy, const float* __restrict x, float* __restrict dx, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    const float cdf = 0.5f * (1.f + erf_approx(v * kSqrt1_2));
    const float pdf = kInvSqrt2Pi * exp_approx(-0.5f * v * v);
    dx[i] = dy[i] * (cdf + v * pdf);
  }
}

using Forward = void (*)(const float*, float*, size_t);
using Backward = void (*)(const float*, const float*, float*, size_t);

void forward_generic(const float* x, float* y, size_t n) { gelu_forward_body(x, y, n); }
void backward_generic(const float* dy, const float* x, float* dx, size_t n) { gelu_backward_body(dy, x, dx, n); }
#ifdef TFJS_PEFT_X86
__attribute__((target("avx2,fma"))) void forward_avx2(const float* x, float* y, size_t n) { gelu_forward_body(x, y, n); }
__attribute__((target("avx2,fma"))) void backward_avx2(const float* dy, const float* x, float* dx, size_t n) { gelu_backward_body(dy, x, dx, n); }
__attribute__((target("avx512f"))) void forward_avx512(const float* x, float* y, size_t n) { gelu_forward_body(x, y, n); }
__attribute__((target("avx512f"))) void backward_avx512(const float* dy, const float* x, float* dx, size_t n) { gelu_backward_body(dy, x, dx, n); }
#endif

constexpr size_t kChunk = 1 << 15;  // elements per task: big enough to amortise a wake-up

}  // namespace

void gelu_forward(const float* x, float* y, size_t n) {
  const Forward f = TFJS_PEFT_PICK(forward);
  const int tasks = static_cast<int>((n + kChunk - 1) / kChunk);
  ThreadPool::instance().parallel_for(tasks, [&](int t, int) {
    const size_t i0 = static_cast<size_t>(t) * kChunk;
    f(x + i0, y + i0, std::min(kChunk, n - i0));
  });
}

void gelu_backward(const float* dy, const float* x, float* dx, size_t n) {
  const Backward f = TFJS_PEFT_PICK(backward);
  const int tasks = static_cast<int>((n + kChunk - 1) / kChunk);
  ThreadPool::instance().parallel_for(tasks, [&](int t, int) {
    const size_t i0 = static_cast<size_t>(t) * kChunk;
    f(dy + i0, x + i0, dx + i0, std::min(kChunk, n - i0));
  });
}

}  // namespace tfjs_peft
