// One AdamW step over flat float32 arrays, vectorised and spread over the thread pool.
#pragma once
#include <cstddef>

namespace tfjs_peft {

struct AdamWStep {
  float beta1, beta2, eps;
  float decay;         // 1 − lr·weight_decay
  float step;          // lr / (1 − β₁ᵗ)
  float inv_sqrt_c2;   // 1 / √(1 − β₂ᵗ)
};

// m' = β₁m + (1−β₁)g, v' = β₂v + (1−β₂)g², p' = p·decay − step·m' / (√v'·inv_sqrt_c2 + ε)
// (torch.optim.AdamW). Outputs may not alias the inputs.
void adamw(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out, float* v_out, size_t n, const AdamWStep& h);

}  // namespace tfjs_peft
