// Node-API entry points: gemm over Float32Array views (the wasm backend's heap or the cpu
// backend's own arrays, shared or not), and the thread / instruction-set controls.
#include <node_api.h>

#include <cstdint>
#include <string>

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

// gemm(a, b, c, aOffsets, bOffsets, cOffsets, m, n, k, transA, transB)
napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value args[11];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 11) {
    fail(env, "gemm expects 11 arguments (a, b, c, aOffsets, bOffsets, cOffsets, m, n, k, transA, transB)");
    return nullptr;
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
  GemmProblem p{a, b, c, ao, bo, co, static_cast<int>(lao), m, n, k, ta, tb};
  tfjs_peft::gemm(p);
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
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, IsaName, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
