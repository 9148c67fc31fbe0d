// Node-API entry points: gemm over Float32Array views (the wasm backend's heap or the cpu
// backend's own arrays, shared or not), and the thread / instruction-set controls.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "adamw.h"
#include "elementwise.h"
#include "gemm.h"
#include "thread-pool.h"

namespace {

using tfjs_peft::GemmProblem;

bool fail(napi_env env, const std::string& message) {
  napi_throw_type_error(env, "TFJS_PEFT_NATIVE", message.c_str());
  return false;
}

// A typed array argument: its data pointer and length in elements, checked against the expected type.
template <typename T>
bool typed_array(napi_env env, napi_value v, napi_typedarray_type want, const char* name, T** data, size_t* length) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return fail(env, std::string("gemm: ") + name + " must be a typed array");
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_get_typedarray_info(env, v, &type, length, &raw, nullptr, nullptr) != napi_ok || type != want)
    return fail(env, std::string("gemm: ") + name + (want == napi_float32_array ? " must be a Float32Array" : " must be a Uint32Array"));
  *data = static_cast<T*>(raw);
  return true;
}

bool int_arg(napi_env env, napi_value v, const char* name, int* out) {
  int32_t x;
  if (napi_get_value_int32(env, v, &x) != napi_ok || x < 0) return fail(env, std::string("gemm: ") + name + " must be a non-negative integer");
  *out = x;
  return true;
}

bool bool_arg(napi_env env, napi_value v, const char* name, bool* out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) return fail(env, std::string("gemm: ") + name + " must be a boolean");
  return true;
}

// gemm(a, b, c, aOffsets, bOffsets, cOffsets, m, n, k, transA, transB, precision?)
napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value args[12];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 11 && argc != 12) {
    fail(env, "gemm expects 11 or 12 arguments (a, b, c, aOffsets, bOffsets, cOffsets, m, n, k, transA, transB, precision?)");
    return nullptr;
  }
  bool bf16 = false;
  if (argc == 12) {
    napi_valuetype t;
    napi_typeof(env, args[11], &t);
    char name[16] = {0};
    size_t len = 0;
    if (t != napi_undefined) {
      if (t != napi_string || napi_get_value_string_utf8(env, args[11], name, sizeof name, &len) != napi_ok ||
          (std::string(name) != "float32" && std::string(name) != "bf16")) {
        fail(env, "gemm: precision must be 'float32' or 'bf16'");
        return nullptr;
      }
      bf16 = std::string(name) == "bf16";
    }
  }
  float *a, *b, *c;
  uint32_t *ao, *bo, *co;
  size_t la, lb, lc, lao, lbo, lco;
  int m, n, k;
  bool ta, tb;
  if (!typed_array(env, args[0], napi_float32_array, "a", &a, &la) || !typed_array(env, args[1], napi_float32_array, "b", &b, &lb) ||
      !typed_array(env, args[2], napi_float32_array, "c", &c, &lc) ||
      !typed_array(env, args[3], napi_uint32_array, "aOffsets", &ao, &lao) ||
      !typed_array(env, args[4], napi_uint32_array, "bOffsets", &bo, &lbo) ||
      !typed_array(env, args[5], napi_uint32_array, "cOffsets", &co, &lco) || !int_arg(env, args[6], "m", &m) ||
      !int_arg(env, args[7], "n", &n) || !int_arg(env, args[8], "k", &k) || !bool_arg(env, args[9], "transA", &ta) ||
      !bool_arg(env, args[10], "transB", &tb))
    return nullptr;
  if (lao != lbo || lao != lco) {
    fail(env, "gemm: aOffsets, bOffsets and cOffsets must have one entry per batch entry (lengths differ)");
    return nullptr;
  }
  // every batch entry must lie inside its array: a bad offset would read or write outside it
  const uint64_t sa = static_cast<uint64_t>(m) * k, sb = static_cast<uint64_t>(k) * n, sc = static_cast<uint64_t>(m) * n;
  for (size_t i = 0; i < lao; i++) {
    if (ao[i] + sa > la || bo[i] + sb > lb || co[i] + sc > lc) {
      fail(env, "gemm: batch entry " + std::to_string(i) + " lies outside its array (offsets a=" + std::to_string(ao[i]) +
                    " b=" + std::to_string(bo[i]) + " c=" + std::to_string(co[i]) + " for m=" + std::to_string(m) +
                    " n=" + std::to_string(n) + " k=" + std::to_string(k) + ")");
      return nullptr;
    }
  }
  GemmProblem p{a, b, c, ao, bo, co, static_cast<int>(lao), m, n, k, ta, tb, bf16};
  tfjs_peft::gemm(p);
  return nullptr;
}

// A Float32Array and an element offset into it, with `n` elements required from there.
bool span(napi_env env, napi_value arr, napi_value off, size_t n, const char* fn, const char* name, float** out) {
  size_t length = 0;
  float* data = nullptr;
  const std::string label = std::string(fn) + ": " + name;
  bool is = false;
  napi_is_typedarray(env, arr, &is);
  napi_typedarray_type type;
  void* raw = nullptr;
  if (!is || napi_get_typedarray_info(env, arr, &type, &length, &raw, nullptr, nullptr) != napi_ok || type != napi_float32_array)
    return fail(env, label + " must be a Float32Array");
  data = static_cast<float*>(raw);
  int64_t offset = -1;
  if (napi_get_value_int64(env, off, &offset) != napi_ok || offset < 0) return fail(env, label + " offset must be a non-negative integer");
  if (static_cast<uint64_t>(offset) + n > length)
    return fail(env, label + " needs " + std::to_string(n) + " elements from offset " + std::to_string(offset) + " but has " + std::to_string(length));
  *out = data + offset;
  return true;
}

bool count_arg(napi_env env, napi_value v, const char* fn, size_t* n) {
  int64_t x = -1;
  if (napi_get_value_int64(env, v, &x) != napi_ok || x < 0) return fail(env, std::string(fn) + ": n must be a non-negative integer");
  *n = static_cast<size_t>(x);
  return true;
}

// geluForward(x, xOffset, y, yOffset, n)
napi_value GeluForward(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value a[5];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  size_t n;
  float *x, *y;
  if (argc != 5) {
    fail(env, "geluForward expects 5 arguments (x, xOffset, y, yOffset, n)");
    return nullptr;
  }
  if (!count_arg(env, a[4], "geluForward", &n) || !span(env, a[0], a[1], n, "geluForward", "x", &x) || !span(env, a[2], a[3], n, "geluForward", "y", &y))
    return nullptr;
  tfjs_peft::gelu_forward(x, y, n);
  return nullptr;
}

// geluBackward(dy, dyOffset, x, xOffset, dx, dxOffset, n)
napi_value GeluBackward(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value a[7];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  size_t n;
  float *dy, *x, *dx;
  if (argc != 7) {
    fail(env, "geluBackward expects 7 arguments (dy, dyOffset, x, xOffset, dx, dxOffset, n)");
    return nullptr;
  }
  if (!count_arg(env, a[6], "geluBackward", &n) || !span(env, a[0], a[1], n, "geluBackward", "dy", &dy) ||
      !span(env, a[2], a[3], n, "geluBackward", "x", &x) || !span(env, a[4], a[5], n, "geluBackward", "dx", &dx))
    return nullptr;
  tfjs_peft::gelu_backward(dy, x, dx, n);
  return nullptr;
}

bool number_arg(napi_env env, napi_value v, const char* fn, const char* name, float* out) {
  double x = 0;
  if (napi_get_value_double(env, v, &x) != napi_ok || !std::isfinite(x)) return fail(env, std::string(fn) + ": " + name + " must be a finite number");
  *out = static_cast<float>(x);
  return true;
}

// adamw(buffers, offsets, n, beta1, beta2, eps, decay, step, invSqrtC2): buffers and offsets hold
// p, g, m, v, pOut, mOut, vOut (Float32Arrays, element offsets; one heap may hold them all)
napi_value AdamW(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value a[9];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc != 9) {
    fail(env, "adamw expects 9 arguments (buffers, offsets, n, beta1, beta2, eps, decay, step, invSqrtC2)");
    return nullptr;
  }
  static const char* const names[7] = {"p", "g", "m", "v", "pOut", "mOut", "vOut"};
  bool arrays = false, offsets = false;
  napi_is_array(env, a[0], &arrays);
  napi_is_array(env, a[1], &offsets);
  uint32_t la = 0, lo = 0;
  if (arrays) napi_get_array_length(env, a[0], &la);
  if (offsets) napi_get_array_length(env, a[1], &lo);
  if (!arrays || !offsets || la != 7 || lo != 7) {
    fail(env, "adamw: buffers and offsets must be arrays of 7 (p, g, m, v, pOut, mOut, vOut)");
    return nullptr;
  }
  size_t n = 0;
  if (!count_arg(env, a[2], "adamw", &n)) return nullptr;
  float* ptr[7];
  for (uint32_t i = 0; i < 7; i++) {
    napi_value buf, off;
    napi_get_element(env, a[0], i, &buf);
    napi_get_element(env, a[1], i, &off);
    if (!span(env, buf, off, n, "adamw", names[i], &ptr[i])) return nullptr;
  }
  tfjs_peft::AdamWStep h{};
  if (!number_arg(env, a[3], "adamw", "beta1", &h.beta1) || !number_arg(env, a[4], "adamw", "beta2", &h.beta2) || !number_arg(env, a[5], "adamw", "eps", &h.eps) ||
      !number_arg(env, a[6], "adamw", "decay", &h.decay) || !number_arg(env, a[7], "adamw", "step", &h.step) ||
      !number_arg(env, a[8], "adamw", "invSqrtC2", &h.inv_sqrt_c2))
    return nullptr;
  // the outputs are written while the inputs are read: they must not overlap any of them
  for (int o = 4; o < 7; o++)
    for (int i = 0; i < 7; i++)
      if (i != o && ptr[o] < ptr[i] + n && ptr[i] < ptr[o] + n) {
        fail(env, std::string("adamw: ") + names[o] + " overlaps " + names[i]);
        return nullptr;
      }
  tfjs_peft::adamw(ptr[0], ptr[1], ptr[2], ptr[3], ptr[4], ptr[5], ptr[6], n, h);
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  int32_t n = 0;
  if (argc != 1 || napi_get_value_int32(env, arg, &n) != napi_ok || n < 1 || n > 256) {
    napi_throw_range_error(env, "TFJS_PEFT_NATIVE", "setThreads: expected an integer from 1 to 256");
    return nullptr;
  }
  tfjs_peft::ThreadPool::instance().set_threads(n);
  return nullptr;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, tfjs_peft::ThreadPool::instance().threads(), &out);
  return out;
}

napi_value IsaName(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, tfjs_peft::gemm_isa(), NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Bf16Mode(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, tfjs_peft::gemm_bf16_mode(), NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value SetIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  char name[32] = {0};
  size_t len = 0;
  if (argc != 1 || napi_get_value_string_utf8(env, arg, name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, "TFJS_PEFT_NATIVE", "setIsa: expected 'avx512', 'avx2', 'generic' or 'best'");
    return nullptr;
  }
  tfjs_peft::set_gemm_isa(name);
  return IsaName(env, info);
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluForward", nullptr, GeluForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluBackward", nullptr, GeluBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, IsaName, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bf16", nullptr, Bf16Mode, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
