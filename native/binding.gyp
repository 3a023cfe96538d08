{
  "targets": [
    {
      "target_name": "datadiet_native",
      "sources": ["src/addon.cc", "src/dnnlConv.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
