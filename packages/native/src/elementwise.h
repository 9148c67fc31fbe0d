// Element-wise kernels with transcendental functions, vectorised for the CPU's widest SIMD and
// spread over the thread pool: GELU (exact erf form) forward and backward.
#pragma once
#include <cstddef>

namespace tfjs_peft {

// y = x·½(1 + erf(x/√2))
void gelu_forward(const float* x, float* y, size_t n);
// dx = dy·(½(1 + erf(x/√2)) + x·φ(x)), φ(x) = exp(−x²/2)/√(2π)
void gelu_backward(const float* dy, const float* x, float* dx, size_t n);

}  // namespace tfjs_peft
