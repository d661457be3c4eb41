/* Machine description of wasm32 for the OCaml 4.13.1 runtime, written by hand because configure
   only runs natively (it describes the build machine, a 64-bit host). wasm32 is an ILP32,
   little-endian target with IEEE doubles and no alignment traps. */
#undef ARCH_SIXTYFOUR
#define SIZEOF_INT 4
#define SIZEOF_LONG 4
#define SIZEOF_PTR 4
#define SIZEOF_SHORT 2
#define SIZEOF_LONGLONG 8
#define PROFINFO_WIDTH 0
#define CAML_SAFE_STRING 1
#define FLAT_FLOAT_ARRAY 1
#define SUPPORTS_ALIGNED_ATTRIBUTE 1
