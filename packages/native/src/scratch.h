// A 64-byte-aligned buffer grown on demand; one per thread (thread_local) in the products.
#pragma once
#include <cstddef>
#include <cstdlib>
#ifdef _MSC_VER
#include <malloc.h>
#endif

namespace tfjs_peft {

template <typename T>
struct Scratch {
  T* data = nullptr;
  size_t size = 0;
  T* get(size_t n) {
    if (n > size) {
      release();
      size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
#ifdef _MSC_VER
      data = static_cast<T*>(_aligned_malloc(bytes, 64));
#else
      data = static_cast<T*>(std::aligned_alloc(64, bytes));
#endif
      size = n;
    }
    return data;
  }
  void release() {
#ifdef _MSC_VER
    _aligned_free(data);
#else
    std::free(data);
#endif
    data = nullptr;
    size = 0;
  }
  ~Scratch() { release(); }
};

}  // namespace tfjs_peft
