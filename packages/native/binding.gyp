{
  "targets": [
    {
      "target_name": "tfjs_peft_native",
      "sources": ["src/addon.cc", "src/gemm.cc", "src/thread-pool.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
      "cflags_cc!": ["-fno-rtti"],
      "ldflags": ["-pthread"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"], "MACOSX_DEPLOYMENT_TARGET": "11.0" },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/O2"] } }
    }
  ]
}
