// Blocked matrix product in the BLIS style: each task owns one MB×NB block of C, packs the
// matching slices of A and B (zero-padded to the micro-kernel's MR×NR tile, transposes folded
// into the packing) and sweeps them with a register-blocked micro-kernel. The micro-kernel is
// chosen once from the CPU's features (AVX-512, AVX2+FMA, or portable C++).
#include "gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "pack.h"
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
constexpr double kPrepackMin = 1 << 17;    // floats (512 KiB): smaller operands are packed per task
constexpr double kPrepackLimit = 4 << 20;  // floats (16 MiB) of one operand packed up front, at most

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
  if (trans)  // A stored k × m
    pack_depth_rows(a + static_cast<long>(k0) * m + m0, m, kc, mb, mr_tile, out);
  else
    pack_width_rows(a + static_cast<long>(m0) * k + k0, k, kc, mb, mr_tile, out);
}

// op(B) depth [k0, k0+kc) × columns [n0, n0+nb) → micro-panels of NR columns, k-major inside.
void pack_b(const float* b, bool trans, int k, int n, int k0, int kc, int n0, int nb, int nr_tile, float* out) {
  if (trans)  // B stored n × k
    pack_width_rows(b + static_cast<long>(n0) * k + k0, k, kc, nb, nr_tile, out);
  else
    pack_depth_rows(b + static_cast<long>(k0) * n + n0, n, kc, nb, nr_tile, out);
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

namespace {

// Packed slices of one operand for a single (unbatched) product: slice (s, block) holds the
// panels of depth slice s of one MB-row block of op(A) or NB-column block of op(B).
struct Prepacked {
  float* data = nullptr;
  int blocks = 0;
  long slice_size = 0;  // floats per (s, block), the largest block padded × KC
  float* at(int s, int block) const { return data + (static_cast<long>(s) * blocks + block) * slice_size; }
};

// Rows per task block: at most `max_mb`, a multiple of `mr`, as even as the tile allows, and —
// when there are few tasks — a count of blocks that the threads share evenly. With fixed blocks,
// 256 rows were 192 + 64: two tasks, one thread doing three quarters of the product.
int row_block(int m, int other_blocks, int max_mb, int mr, int threads) {
  const int max_blocks = (m + mr - 1) / mr;
  int blocks = (m + max_mb - 1) / max_mb;
  if (threads > 1 && other_blocks * blocks < 4 * threads) {
    int b = blocks;
    while (b < max_blocks && (other_blocks * b) % threads != 0) b++;
    if ((other_blocks * b) % threads == 0) blocks = b;
  }
  const int rows = (m + blocks - 1) / blocks;
  return std::min(max_mb, (rows + mr - 1) / mr * mr);
}

}  // namespace

void gemm(const GemmProblem& p) {
  if (p.bf16) {
    gemm_bf16(p);
    return;
  }
  Isa isa = *g_isa;
  const int m = p.m, n = p.n, k = p.k;
  if (p.batch <= 0 || m <= 0 || n <= 0) return;
  const int n_blocks = (n + isa.nb - 1) / isa.nb;
  isa.mb = row_block(m, n_blocks * p.batch, isa.mb, isa.mr, ThreadPool::instance().threads());
  const int m_blocks = (m + isa.mb - 1) / isa.mb;
  const int per_batch = m_blocks * n_blocks;
  const int slices = (k + KC - 1) / KC;
  // A block is used by every column block and a B block by every row block: with one batch entry,
  // pack each of those once, in parallel, before the products, instead of once per task
  // (n_blocks and m_blocks times) — the packing reads the operands from memory, and repeating it
  // cost up to a fifth of the product's time.
  Prepacked pre_a, pre_b;
  if (p.batch == 1 && k > 0 && per_batch > 1) {
    static thread_local Scratch<float> whole_a, whole_b;
    const float* a = p.a + p.a_offsets[0];
    const float* b = p.b + p.b_offsets[0];
    // An operand small enough to stay in cache (kPrepackMin) gains nothing from it but an extra
    // round of the pool; one whose packed copy would pass kPrepackLimit keeps the per-task packing
    // too (the copy stays allocated for the next product).
    const long a_slice = static_cast<long>((std::min(isa.mb, m) + isa.mr - 1) / isa.mr * isa.mr) * KC;
    const long b_slice = static_cast<long>((std::min(isa.nb, n) + isa.nr - 1) / isa.nr * isa.nr) * KC;
    const auto worth = [&](int users, double elements, double packed) { return users > 1 && elements > kPrepackMin && packed <= kPrepackLimit; };
    const int a_jobs = worth(n_blocks, static_cast<double>(m) * k, static_cast<double>(slices) * m_blocks * a_slice) ? slices * m_blocks : 0;
    const int b_jobs = worth(m_blocks, static_cast<double>(k) * n, static_cast<double>(slices) * n_blocks * b_slice) ? slices * n_blocks : 0;
    if (a_jobs > 0) pre_a = {whole_a.get(static_cast<size_t>(a_jobs) * a_slice), m_blocks, a_slice};
    if (b_jobs > 0) pre_b = {whole_b.get(static_cast<size_t>(b_jobs) * b_slice), n_blocks, b_slice};
    if (a_jobs + b_jobs > 0) ThreadPool::instance().parallel_for(a_jobs + b_jobs, [&](int job, int) {
      const bool is_a = job < a_jobs;
      const int j = is_a ? job : job - a_jobs;
      const int blocks = is_a ? m_blocks : n_blocks;
      const int s = j / blocks, block = j % blocks;
      const int k0 = s * KC, kc = std::min(KC, k - k0);
      if (is_a) {
        const int m0 = block * isa.mb;
        pack_a(a, p.trans_a, m, k, m0, std::min(isa.mb, m - m0), k0, kc, isa.mr, pre_a.at(s, block));
      } else {
        const int n0 = block * isa.nb;
        pack_b(b, p.trans_b, k, n, k0, kc, n0, std::min(isa.nb, n - n0), isa.nr, pre_b.at(s, block));
      }
    });
  }
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
    float* own_a = pre_a.data ? nullptr : scratch_a.get(static_cast<size_t>(mb_pad) * KC);
    float* own_b = pre_b.data ? nullptr : scratch_b.get(static_cast<size_t>(nb_pad) * KC);
    for (int s = 0; s < slices; s++) {
      const int k0 = s * KC, kc = std::min(KC, k - k0);
      const float* pb = own_b;
      const float* pa = own_a;
      if (pre_b.data) pb = pre_b.at(s, ni);
      else pack_b(b, p.trans_b, k, n, k0, kc, n0, nb, isa.nr, own_b);
      if (pre_a.data) pa = pre_a.at(s, mi);
      else pack_a(a, p.trans_a, m, k, m0, mb, k0, kc, isa.mr, own_a);
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
