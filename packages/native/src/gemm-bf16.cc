// The matrix product with bfloat16 operands and float32 accumulation (what PyTorch calls
// float32 matmul precision "medium", oneDNN "fpmath bf16"): both operands are rounded to bf16
// (nearest even), every product of two bf16 numbers is exact in float32, and the sums are float32.
//
// With AVX-512 BF16 (VDPBF16PS: two products per 32-bit lane per instruction) the operands are
// converted once per call into bf16 copies, packed as k-pairs — a 32-bit word holds op(A)[i][p]
// and op(A)[i][p+1] (B likewise per column) — and swept by a 12×32 micro-kernel, the same tile
// as the float32 AVX-512 kernel but half the instructions per depth. Elsewhere the float32
// product runs on bf16-rounded float32 copies.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "gemm.h"
#include "scratch.h"
#include "thread-pool.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TFJS_PEFT_X86 1
#endif

namespace tfjs_peft {
namespace {

// float32 → bfloat16, nearest even; NaN stays a (quiet) NaN; zero and subnormal inputs become a
// signed zero, as the AVX-512 BF16 conversion does (its inputs are read with denormals as zero).
inline uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
  if ((u & 0x7f800000u) == 0) return static_cast<uint16_t>((u >> 16) & 0x8000u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

inline float bf16_to_float(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

constexpr size_t kChunk = 1 << 16;  // elements per conversion task

// [lo, hi) of the elements the batch entries at `offsets` (each `size` long) cover
void span_of(const uint32_t* offsets, int batch, uint64_t size, uint64_t* lo, uint64_t* hi) {
  *lo = UINT64_MAX;
  *hi = 0;
  for (int i = 0; i < batch; i++) {
    *lo = std::min<uint64_t>(*lo, offsets[i]);
    *hi = std::max<uint64_t>(*hi, offsets[i] + size);
  }
}

template <typename Convert>
void convert_parallel(size_t n, Convert convert) {
  const int tasks = static_cast<int>((n + kChunk - 1) / kChunk);
  ThreadPool::instance().parallel_for(tasks, [&](int t, int) {
    const size_t from = static_cast<size_t>(t) * kChunk;
    convert(from, std::min(n, from + kChunk));
  });
}

// The float32 product on bf16-rounded copies of the spans the batch entries use.
void gemm_emulated(const GemmProblem& p) {
  static thread_local Scratch<float> copy_a, copy_b;
  static thread_local Scratch<uint32_t> offs;
  uint64_t alo, ahi, blo, bhi;
  span_of(p.a_offsets, p.batch, static_cast<uint64_t>(p.m) * p.k, &alo, &ahi);
  span_of(p.b_offsets, p.batch, static_cast<uint64_t>(p.k) * p.n, &blo, &bhi);
  float* ra = copy_a.get(ahi - alo + 1);
  float* rb = copy_b.get(bhi - blo + 1);
  const float* sa = p.a + alo;
  const float* sb = p.b + blo;
  convert_parallel(ahi - alo, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; i++) ra[i] = bf16_to_float(to_bf16(sa[i]));
  });
  convert_parallel(bhi - blo, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; i++) rb[i] = bf16_to_float(to_bf16(sb[i]));
  });
  uint32_t* o = offs.get(2 * static_cast<size_t>(p.batch) + 1);
  for (int i = 0; i < p.batch; i++) {
    o[i] = static_cast<uint32_t>(p.a_offsets[i] - alo);
    o[p.batch + i] = static_cast<uint32_t>(p.b_offsets[i] - blo);
  }
  GemmProblem q = p;
  q.a = ra;
  q.b = rb;
  q.a_offsets = o;
  q.b_offsets = o + p.batch;
  q.bf16 = false;
  gemm(q);
}

#ifdef TFJS_PEFT_X86
constexpr int MR = 12, NR = 32, MB = 192, NB = 256;
constexpr int KC2 = 256;  // k-pairs in one packed slice (depth 512): an A micro-panel is 12 KiB

#define TFJS_PEFT_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

TFJS_PEFT_BF16_TARGET void convert_avx512(const float* src, uint16_t* dst, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + i));
    std::memcpy(dst + i, &h, 32);
  }
  for (; i < n; i++) dst[i] = to_bf16(src[i]);
}

inline uint32_t pair(uint16_t lo, uint16_t hi) { return static_cast<uint32_t>(lo) | (static_cast<uint32_t>(hi) << 16); }

// op(A) rows [m0, m0+mb) × depth [k0, k0+kc) → micro-panels of MR rows, k-pair-major inside.
void pack_a(const uint16_t* a, bool trans, int m, int k, int m0, int mb, int k0, int kc, uint32_t* out) {
  const int kc2 = (kc + 1) / 2;
  for (int ir = 0; ir < mb; ir += MR) {
    uint32_t* panel = out + static_cast<long>(ir) * kc2;
    const int rows = std::min(MR, mb - ir);
    if (trans) {  // A stored k × m
      for (int q = 0; q < kc2; q++) {
        const uint16_t* r0 = a + static_cast<long>(k0 + 2 * q) * m + m0 + ir;
        const bool has1 = 2 * q + 1 < kc;
        uint32_t* dst = panel + q * MR;
        int i = 0;
        for (; i < rows; i++) dst[i] = pair(r0[i], has1 ? r0[m + i] : 0);
        for (; i < MR; i++) dst[i] = 0;
      }
    } else {
      for (int i = 0; i < rows; i++) {
        const uint16_t* src = a + static_cast<long>(m0 + ir + i) * k + k0;
        for (int q = 0; q < kc / 2; q++) panel[q * MR + i] = pair(src[2 * q], src[2 * q + 1]);
        if (kc & 1) panel[(kc2 - 1) * MR + i] = pair(src[kc - 1], 0);
      }
      for (int i = rows; i < MR; i++)
        for (int q = 0; q < kc2; q++) panel[q * MR + i] = 0;
    }
  }
}

// op(B) depth [k0, k0+kc) × columns [n0, n0+nb) → micro-panels of NR columns, k-pair-major inside.
void pack_b(const uint16_t* b, bool trans, int k, int n, int k0, int kc, int n0, int nb, uint32_t* out) {
  const int kc2 = (kc + 1) / 2;
  for (int jr = 0; jr < nb; jr += NR) {
    uint32_t* panel = out + static_cast<long>(jr) * kc2;
    const int cols = std::min(NR, nb - jr);
    if (!trans) {  // B stored k × n
      for (int q = 0; q < kc2; q++) {
        const uint16_t* r0 = b + static_cast<long>(k0 + 2 * q) * n + n0 + jr;
        uint32_t* dst = panel + q * NR;
        int j = 0;
        if (2 * q + 1 < kc)
          for (; j < cols; j++) dst[j] = pair(r0[j], r0[n + j]);
        else
          for (; j < cols; j++) dst[j] = pair(r0[j], 0);
        for (; j < NR; j++) dst[j] = 0;
      }
    } else {  // B stored n × k
      for (int j = 0; j < cols; j++) {
        const uint16_t* src = b + static_cast<long>(n0 + jr + j) * k + k0;
        for (int q = 0; q < kc / 2; q++) panel[q * NR + j] = pair(src[2 * q], src[2 * q + 1]);
        if (kc & 1) panel[(kc2 - 1) * NR + j] = pair(src[kc - 1], 0);
      }
      for (int j = cols; j < NR; j++)
        for (int q = 0; q < kc2; q++) panel[q * NR + j] = 0;
    }
  }
}

// 12×32 tile: 24 float32 accumulators; per k-pair 2 loads of B, 12 broadcasts of an A pair, 24 VDPBF16PS.
TFJS_PEFT_BF16_TARGET void kernel(int kc2, const uint32_t* a, const uint32_t* b, float* c, int ldc, int mr, int nr, bool add) {
  __m512 acc[MR][2];
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int q = 0; q < kc2; q++) {
    const __m512bh b0 = (__m512bh)_mm512_load_si512(b);
    const __m512bh b1 = (__m512bh)_mm512_load_si512(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      const __m512bh ai = (__m512bh)_mm512_set1_epi32(static_cast<int>(a[i]));
      acc[i][0] = _mm512_dpbf16_ps(acc[i][0], ai, b0);
      acc[i][1] = _mm512_dpbf16_ps(acc[i][1], ai, b1);
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
  for (int i = 0; i < mr; i++) {
    float* row = c + static_cast<long>(i) * ldc;
    for (int j = 0; j < nr; j++) row[j] = add ? row[j] + tile[i * NR + j] : tile[i * NR + j];
  }
}

void gemm_hardware(const GemmProblem& p) {
  static thread_local Scratch<uint16_t> copy_a, copy_b;
  const int m = p.m, n = p.n, k = p.k;
  uint64_t alo, ahi, blo, bhi;
  span_of(p.a_offsets, p.batch, static_cast<uint64_t>(m) * k, &alo, &ahi);
  span_of(p.b_offsets, p.batch, static_cast<uint64_t>(k) * n, &blo, &bhi);
  uint16_t* a16 = copy_a.get(ahi - alo + 1);
  uint16_t* b16 = copy_b.get(bhi - blo + 1);
  const float* sa = p.a + alo;
  const float* sb = p.b + blo;
  convert_parallel(ahi - alo, [&](size_t i0, size_t i1) { convert_avx512(sa + i0, a16 + i0, i1 - i0); });
  convert_parallel(bhi - blo, [&](size_t i0, size_t i1) { convert_avx512(sb + i0, b16 + i0, i1 - i0); });
  const int m_blocks = (m + MB - 1) / MB;
  const int n_blocks = (n + NB - 1) / NB;
  const int per_batch = m_blocks * n_blocks;
  ThreadPool::instance().parallel_for(p.batch * per_batch, [&](int task, int) {
    static thread_local Scratch<uint32_t> scratch_a, scratch_b;
    const int bi = task / per_batch;
    const int mi = (task % per_batch) / n_blocks;
    const int ni = task % n_blocks;
    const uint16_t* a = a16 + (p.a_offsets[bi] - alo);
    const uint16_t* b = b16 + (p.b_offsets[bi] - blo);
    float* c = p.c + p.c_offsets[bi];
    const int m0 = mi * MB, mb = std::min(MB, m - m0);
    const int n0 = ni * NB, nb = std::min(NB, n - n0);
    const int mb_pad = (mb + MR - 1) / MR * MR;
    const int nb_pad = (nb + NR - 1) / NR * NR;
    uint32_t* pa = scratch_a.get(static_cast<size_t>(mb_pad) * KC2);
    uint32_t* pb = scratch_b.get(static_cast<size_t>(nb_pad) * KC2);
    for (int k0 = 0; k0 < k; k0 += 2 * KC2) {
      const int kc = std::min(2 * KC2, k - k0);
      const int kc2 = (kc + 1) / 2;
      pack_b(b, p.trans_b, k, n, k0, kc, n0, nb, pb);
      pack_a(a, p.trans_a, m, k, m0, mb, k0, kc, pa);
      for (int jr = 0; jr < nb; jr += NR)
        for (int ir = 0; ir < mb; ir += MR)
          kernel(kc2, pa + static_cast<long>(ir) * kc2, pb + static_cast<long>(jr) * kc2, c + static_cast<long>(m0 + ir) * n + n0 + jr, n,
                 std::min(MR, mb - ir), std::min(NR, nb - jr), k0 > 0);
    }
  });
}

bool cpu_has_bf16() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bf16");
}
const bool g_cpu_bf16 = cpu_has_bf16();
#endif

bool hardware() {
#ifdef TFJS_PEFT_X86
  return g_cpu_bf16 && std::strcmp(gemm_isa(), "avx512") == 0;
#else
  return false;
#endif
}

}  // namespace

const char* gemm_bf16_mode() { return hardware() ? "avx512_bf16" : "emulated"; }

void gemm_bf16(const GemmProblem& p) {
  if (p.batch <= 0 || p.m <= 0 || p.n <= 0) return;
#ifdef TFJS_PEFT_X86
  if (hardware() && p.k > 0) {
    gemm_hardware(p);
    return;
  }
#endif
  gemm_emulated(p);
}

}  // namespace tfjs_peft
