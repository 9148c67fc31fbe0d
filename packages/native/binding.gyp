{
  "targets": [
    {
      "target_name": "tfjs_peft_native",
      "sources": ["src/addon.cc", "src/gemm.cc", "src/gemm-bf16.cc", "src/pack.cc", "src/elementwise.cc", "src/adamw.cc", "src/thread-pool.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fno-trapping-math", "-fno-math-errno"],
      "cflags_cc!": ["-fno-rtti"],
      "ldflags": ["-pthread"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-trapping-math", "-fno-math-errno"], "MACOSX_DEPLOYMENT_TARGET": "11.0" },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/O2"] } }
    }
  ]
}
