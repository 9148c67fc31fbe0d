// Blocked matrix product in the BLIS style: each task owns one MB×NB block of C, packs the
// matching slices of A and B (zero-padded to the micro-kernel's MR×NR tile, transposes folded
// into the packing) and sweeps them with a register-blocked micro-kernel. The micro-kernel is
// chosen once from the CPU's features (AVX-512, AVX2+FMA, or portable C++).
#include "gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "scratch.h"
#include "thread-pool.h"

// the AVX kernels use GCC/Clang function attributes; other compilers (MSVC) build the portable one
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TFJS_PEFT_X86 1
#endif

namespace tfjs_peft {
namespace {

constexpr int KC = 256;  // depth of one packed slice: A micro-panel (MR×KC) stays in L1

using MicroKernel = void (*)(int kc, const float* a, const float* b, float* c, int ldc, int mr, int nr, bool add);

// Writes an MR×NR tile computed in `tile` into C (only the mr×nr valid part).
inline void store_partial(const float* tile, int tile_ld, float* c, int ldc, int mr, int nr, bool add) {
  for (int i = 0; i < mr; i++) {
    float* row = c + static_cast<long>(i) * ldc;
    const float* t = tile + i * tile_ld;
    if (add)
      for (int j = 0; j < nr; j++) row[j] += t[j];
    else
      for (int j = 0; j < nr; j++) row[j] = t[j];
  }
}

// Portable 4×16 kernel: the compiler vectorises the inner loop for the target it builds for.
template <int MR, int NR>
void kernel_generic(int kc, const float* a, const float* b, float* c, int ldc, int mr, int nr, bool add) {
  float acc[MR][NR] = {};
  for (int p = 0; p < kc; p++) {
    for (int i = 0; i < MR; i++) {
      const float ai = a[i];
      for (int j = 0; j < NR; j++) acc[i][j] += ai * b[j];
    }
    a += MR;
    b += NR;
  }
  store_partial(&acc[0][0], NR, c, ldc, mr, nr, add);
}

#ifdef TFJS_PEFT_X86
// 6×16 with AVX2 + FMA: 12 accumulators, 2 loads of B and 6 broadcasts of A per step of k.
__attribute__((target("avx2,fma"))) void kernel_avx2(int kc, const float* a, const float* b, float* c, int ldc, int mr, int nr,
                                                     bool add) {
  constexpr int MR = 6, NR = 16;
  __m256 acc[MR][2];
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      const __m256 ai = _mm256_set1_ps(a[i]);  // not _mm256_broadcast_ss: through its may-alias pointer GCC kept
                                                // every accumulator in memory (12 stores per step of k)
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += MR;
    b += NR;
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      float* row = c + static_cast<long>(i) * ldc;
      if (add) {
        acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(row));
        acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, acc[i][0]);
      _mm256_storeu_ps(row + 8, acc[i][1]);
    }
    return;
  }
  alignas(32) float tile[MR * NR];
  for (int i = 0; i < MR; i++) {
    _mm256_store_ps(tile + i * NR, acc[i][0]);
    _mm256_store_ps(tile + i * NR + 8, acc[i][1]);
  }
  store_partial(tile, NR, c, ldc, mr, nr, add);
}

// 12×32 with AVX-512: 24 accumulators of the 32 vector registers.
__attribute__((target("avx512f"))) void kernel_avx512(int kc, const float* a, const float* b, float* c, int ldc, int mr, int nr,
                                                      bool add) {
  constexpr int MR = 12, NR = 32;
  __m512 acc[MR][2];
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += MR;
    b += NR;
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      float* row = c + static_cast<long>(i) * ldc;
      if (add) {
        acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(row));
        acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(row + 16));
      }
      _mm512_storeu_ps(row, acc[i][0]);
      _mm512_storeu_ps(row + 16, acc[i][1]);
    }
    return;
  }
  alignas(64) float tile[MR * NR];
  for (int i = 0; i < MR; i++) {
    _mm512_store_ps(tile + i * NR, acc[i][0]);
    _mm512_store_ps(tile + i * NR + 16, acc[i][1]);
  }
  store_partial(tile, NR, c, ldc, mr, nr, add);
}
#endif

struct Isa {
  const char* name;
  MicroKernel kernel;
  int mr, nr, mb, nb;  // tile and per-task block sizes (mb % mr == 0, nb % nr == 0)
};

const Isa kGeneric{"generic", kernel_generic<4, 16>, 4, 16, 192, 256};
#ifdef TFJS_PEFT_X86
const Isa kAvx2{"avx2", kernel_avx2, 6, 16, 192, 256};
const Isa kAvx512{"avx512", kernel_avx512, 12, 32, 192, 256};
#endif

const Isa* detect() {
#ifdef TFJS_PEFT_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return &kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &kAvx2;
#endif
  return &kGeneric;
}

const Isa* g_isa = detect();

// op(A) rows [m0, m0+mb) × depth [k0, k0+kc) → micro-panels of MR rows, k-major inside a panel.
void pack_a(const float* a, bool trans, int m, int k, int m0, int mb, int k0, int kc, int mr_tile, float* out) {
  for (int ir = 0; ir < mb; ir += mr_tile) {
    float* panel = out + static_cast<long>(ir) * kc;
    const int rows = std::min(mr_tile, mb - ir);
    if (trans) {  // A stored k × m: a row of the panel is contiguous
      for (int p = 0; p < kc; p++) {
        const float* src = a + static_cast<long>(k0 + p) * m + m0 + ir;
        float* dst = panel + p * mr_tile;
        int i = 0;
        for (; i < rows; i++) dst[i] = src[i];
        for (; i < mr_tile; i++) dst[i] = 0.f;
      }
    } else {
      for (int i = 0; i < rows; i++) {
        const float* src = a + static_cast<long>(m0 + ir + i) * k + k0;
        for (int p = 0; p < kc; p++) panel[p * mr_tile + i] = src[p];
      }
      for (int i = rows; i < mr_tile; i++)
        for (int p = 0; p < kc; p++) panel[p * mr_tile + i] = 0.f;
    }
  }
}

// op(B) depth [k0, k0+kc) × columns [n0, n0+nb) → micro-panels of NR columns, k-major inside.
void pack_b(const float* b, bool trans, int k, int n, int k0, int kc, int n0, int nb, int nr_tile, float* out) {
  for (int jr = 0; jr < nb; jr += nr_tile) {
    float* panel = out + static_cast<long>(jr) * kc;
    const int cols = std::min(nr_tile, nb - jr);
    if (!trans) {  // B stored k × n
      for (int p = 0; p < kc; p++) {
        const float* src = b + static_cast<long>(k0 + p) * n + n0 + jr;
        float* dst = panel + p * nr_tile;
        int j = 0;
        for (; j < cols; j++) dst[j] = src[j];
        for (; j < nr_tile; j++) dst[j] = 0.f;
      }
    } else {  // B stored n × k
      for (int j = 0; j < cols; j++) {
        const float* src = b + static_cast<long>(n0 + jr + j) * k + k0;
        for (int p = 0; p < kc; p++) panel[p * nr_tile + j] = src[p];
      }
      for (int j = cols; j < nr_tile; j++)
        for (int p = 0; p < kc; p++) panel[p * nr_tile + j] = 0.f;
    }
  }
}

}  // namespace

const char* gemm_isa() { return g_isa->name; }

void set_gemm_isa(const char* name) {
  const Isa* best = detect();
  if (std::strcmp(name, "generic") == 0) g_isa = &kGeneric;
#ifdef TFJS_PEFT_X86
  else if (std::strcmp(name, "avx2") == 0 && best != &kGeneric) g_isa = &kAvx2;
#endif
  else g_isa = best;
}

void gemm(const GemmProblem& p) {
  if (p.bf16) {
    gemm_bf16(p);
    return;
  }
  const Isa isa = *g_isa;
  const int m = p.m, n = p.n, k = p.k;
  if (p.batch <= 0 || m <= 0 || n <= 0) return;
  const int m_blocks = (m + isa.mb - 1) / isa.mb;
  const int n_blocks = (n + isa.nb - 1) / isa.nb;
  const int per_batch = m_blocks * n_blocks;
  ThreadPool::instance().parallel_for(p.batch * per_batch, [&](int task, int) {
    static thread_local Scratch<float> scratch_a, scratch_b;
    const int bi = task / per_batch;
    const int mi = (task % per_batch) / n_blocks;
    const int ni = task % n_blocks;
    const float* a = p.a + p.a_offsets[bi];
    const float* b = p.b + p.b_offsets[bi];
    float* c = p.c + p.c_offsets[bi];
    const int m0 = mi * isa.mb, mb = std::min(isa.mb, m - m0);
    const int n0 = ni * isa.nb, nb = std::min(isa.nb, n - n0);
    if (k == 0) {
      for (int i = 0; i < mb; i++) std::memset(c + static_cast<long>(m0 + i) * n + n0, 0, sizeof(float) * nb);
      return;
    }
    const int mb_pad = (mb + isa.mr - 1) / isa.mr * isa.mr;
    const int nb_pad = (nb + isa.nr - 1) / isa.nr * isa.nr;
    float* pa = scratch_a.get(static_cast<size_t>(mb_pad) * KC);
    float* pb = scratch_b.get(static_cast<size_t>(nb_pad) * KC);
    for (int k0 = 0; k0 < k; k0 += KC) {
      const int kc = std::min(KC, k - k0);
      pack_b(b, p.trans_b, k, n, k0, kc, n0, nb, isa.nr, pb);
      pack_a(a, p.trans_a, m, k, m0, mb, k0, kc, isa.mr, pa);
      for (int jr = 0; jr < nb; jr += isa.nr) {
        for (int ir = 0; ir < mb; ir += isa.mr) {
          isa.kernel(kc, pa + static_cast<long>(ir) * kc, pb + static_cast<long>(jr) * kc,
                     c + static_cast<long>(m0 + ir) * n + n0 + jr, n, std::min(isa.mr, mb - ir), std::min(isa.nr, nb - jr),
                     k0 > 0);
        }
      }
    }
  });
}

}  // namespace tfjs_peft
