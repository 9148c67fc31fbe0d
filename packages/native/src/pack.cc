// The packing loops, specialised per tile width so that the copies and transposes have fixed sizes.
// Their order matters more than their instructions: walking a row-major source column by column
// (what a panel-at-a-time loop does when the panel runs along the contiguous dimension) touches a
// new page every element, and packing took 20–45 % of a product's time that way.
#include "pack.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#include <xmmintrin.h>
#define TFJS_PEFT_SSE 1
#endif

namespace tfjs_peft {
namespace {

template <int TILE>
void depth_rows(const float* src, long ld, int depth, int width, float* out) {
  const int full = width / TILE;
  const int rest = width - full * TILE;
  const long panel = static_cast<long>(TILE) * depth;
  for (int p = 0; p < depth; p++) {
    const float* row = src + p * ld;
    float* dst = out + static_cast<long>(p) * TILE;
    for (int t = 0; t < full; t++) std::memcpy(dst + t * panel, row + t * TILE, sizeof(float) * TILE);
    if (rest > 0) {
      float* last = dst + full * panel;
      for (int j = 0; j < rest; j++) last[j] = row[full * TILE + j];
      for (int j = rest; j < TILE; j++) last[j] = 0.f;
    }
  }
}

template <int TILE>
void width_rows(const float* src, long ld, int depth, int width, float* out) {
  for (int w0 = 0; w0 < width; w0 += TILE) {
    float* panel = out + static_cast<long>(w0) * depth;
    const float* rows0 = src + w0 * ld;
    const int rows = std::min(TILE, width - w0);
    int i = 0;
#ifdef TFJS_PEFT_SSE
    for (; i + 4 <= rows; i += 4) {
      const float* r0 = rows0 + i * ld;
      const float *r1 = r0 + ld, *r2 = r1 + ld, *r3 = r2 + ld;
      float* dst = panel + i;
      int p = 0;
      for (; p + 4 <= depth; p += 4) {
        __m128 x0 = _mm_loadu_ps(r0 + p), x1 = _mm_loadu_ps(r1 + p), x2 = _mm_loadu_ps(r2 + p), x3 = _mm_loadu_ps(r3 + p);
        _MM_TRANSPOSE4_PS(x0, x1, x2, x3);
        _mm_storeu_ps(dst + p * TILE, x0);
        _mm_storeu_ps(dst + (p + 1) * TILE, x1);
        _mm_storeu_ps(dst + (p + 2) * TILE, x2);
        _mm_storeu_ps(dst + (p + 3) * TILE, x3);
      }
      for (; p < depth; p++) {
        dst[p * TILE] = r0[p];
        dst[p * TILE + 1] = r1[p];
        dst[p * TILE + 2] = r2[p];
        dst[p * TILE + 3] = r3[p];
      }
    }
    if (i + 2 <= rows) {  // a pair of rows (the 6-row tile's last two): interleave, store 2 floats per depth
      const float* r0 = rows0 + i * ld;
      const float* r1 = r0 + ld;
      float* dst = panel + i;
      int p = 0;
      for (; p + 4 <= depth; p += 4) {
        const __m128 x0 = _mm_loadu_ps(r0 + p), x1 = _mm_loadu_ps(r1 + p);
        const __m128 lo = _mm_unpacklo_ps(x0, x1), hi = _mm_unpackhi_ps(x0, x1);
        _mm_storel_pi(reinterpret_cast<__m64*>(dst + p * TILE), lo);
        _mm_storeh_pi(reinterpret_cast<__m64*>(dst + (p + 1) * TILE), lo);
        _mm_storel_pi(reinterpret_cast<__m64*>(dst + (p + 2) * TILE), hi);
        _mm_storeh_pi(reinterpret_cast<__m64*>(dst + (p + 3) * TILE), hi);
      }
      for (; p < depth; p++) {
        dst[p * TILE] = r0[p];
        dst[p * TILE + 1] = r1[p];
      }
      i += 2;
    }
#endif
    for (; i < rows; i++) {
      const float* r = rows0 + i * ld;
      for (int p = 0; p < depth; p++) panel[p * TILE + i] = r[p];
    }
    if (rows < TILE)
      for (int p = 0; p < depth; p++)
        for (int j = rows; j < TILE; j++) panel[p * TILE + j] = 0.f;
  }
}

// any other tile width (no kernel uses one today): the plain loops
void depth_rows_any(const float* src, long ld, int depth, int width, int tile, float* out) {
  for (int p = 0; p < depth; p++)
    for (int w = 0; w < (width + tile - 1) / tile * tile; w++)
      out[static_cast<long>(w / tile) * tile * depth + p * tile + w % tile] = w < width ? src[p * ld + w] : 0.f;
}

void width_rows_any(const float* src, long ld, int depth, int width, int tile, float* out) {
  for (int w = 0; w < (width + tile - 1) / tile * tile; w++)
    for (int p = 0; p < depth; p++)
      out[static_cast<long>(w / tile) * tile * depth + p * tile + w % tile] = w < width ? src[w * ld + p] : 0.f;
}

}  // namespace

void pack_depth_rows(const float* src, long ld, int depth, int width, int tile, float* out) {
  switch (tile) {
    case 4: return depth_rows<4>(src, ld, depth, width, out);
    case 6: return depth_rows<6>(src, ld, depth, width, out);
    case 12: return depth_rows<12>(src, ld, depth, width, out);
    case 16: return depth_rows<16>(src, ld, depth, width, out);
    case 32: return depth_rows<32>(src, ld, depth, width, out);
    default: return depth_rows_any(src, ld, depth, width, tile, out);
  }
}

void pack_width_rows(const float* src, long ld, int depth, int width, int tile, float* out) {
  switch (tile) {
    case 4: return width_rows<4>(src, ld, depth, width, out);
    case 6: return width_rows<6>(src, ld, depth, width, out);
    case 12: return width_rows<12>(src, ld, depth, width, out);
    case 16: return width_rows<16>(src, ld, depth, width, out);
    case 32: return width_rows<32>(src, ld, depth, width, out);
    default: return width_rows_any(src, ld, depth, width, tile, out);
  }
}

}  // namespace tfjs_peft
