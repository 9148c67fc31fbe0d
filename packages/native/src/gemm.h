// Batched single-precision matrix product for row-major operands, with either operand
// transposed: C[b] = op(A[b]) · op(B[b]), op(A) is M×K, op(B) is K×N, C[b] is M×N.
#pragma once
#include <cstdint>

namespace tfjs_peft {

struct GemmProblem {
  const float* a;         // base of A; batch entry i starts at a + a_offsets[i]
  const float* b;
  float* c;
  const uint32_t* a_offsets;  // element offsets, one per batch entry
  const uint32_t* b_offsets;
  const uint32_t* c_offsets;
  int batch, m, n, k;
  bool trans_a;  // A stored K×M
  bool trans_b;  // B stored N×K
  bool bf16 = false;  // round A and B to bfloat16 (nearest even), multiply exactly, accumulate in float32
};

// Runs the product on the pool's threads. Safe for any sizes (zero included).
void gemm(const GemmProblem& p);

// The product with bf16 operands (p.bf16): AVX-512 BF16 dot products where the CPU has them and
// the AVX-512 family is in use, otherwise the float32 product on bf16-rounded copies (same
// numbers up to the order of the float32 sums).
void gemm_bf16(const GemmProblem& p);
// "avx512_bf16" (hardware dot products) or "emulated"
const char* gemm_bf16_mode();

// The micro-kernel family the CPU got at load time: "avx512", "avx2" or "generic".
const char* gemm_isa();
void set_gemm_isa(const char* name);  // for tests: force a lower family

}  // namespace tfjs_peft
