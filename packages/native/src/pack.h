// Packing a slice of a matrix operand into the micro-kernels' panels: element (p, w) of a slice
// `depth` deep (p) and `width` wide (w: rows of op(A) or columns of op(B)) goes to
// out[(w / tile) * tile * depth + p * tile + w % tile], the last panel zero-padded to `tile`.
#pragma once

namespace tfjs_peft {

// src[p * ld + w]: along the width the source is contiguous (A stored k×m, B stored k×n). Reads
// each depth row once, left to right, and writes the panels as `width / tile` forward streams.
void pack_depth_rows(const float* src, long ld, int depth, int width, int tile, float* out);

// src[w * ld + p]: along the depth the source is contiguous (A stored m×k, B stored n×k).
// Transposes 4×4 blocks in vector registers where the CPU has SSE (every x86-64).
void pack_width_rows(const float* src, long ld, int depth, int width, int tile, float* out);

}  // namespace tfjs_peft
