/* Operating-system description of WASI (wasi-libc) for the OCaml 4.13.1 runtime, written by hand.
   Left out on purpose: POSIX signals, dynamic linking, sockets, mmap, processes (system, wait),
   terminal control and stack-overflow detection through signals; WASI has none of them. */
#define OCAML_OS_TYPE "Unix"
#define HAS_C99_FLOAT_OPS 1
#define HAS_WORKING_FMA 1
#define HAS_WORKING_ROUND 1
#define HAS_STDINT_H 1
#define HAS_UNISTD 1
#define HAS_DIRENT 1
#define HAS_REWINDDIR 1
#define HAS_GETCWD 1
#define HAS_GETTIMEOFDAY 1
#define HAS_MKTIME 1
#define HAS_NANOSLEEP 1
#define HAS_NANOSECOND_STAT 1
#define HAS_POSIX_MONOTONIC_CLOCK 1
/* through wasi-libc's emulation library (-lwasi-emulated-process-clocks) */
#define HAS_GETRUSAGE 1
#define HAS_TIMES 1
#define HAS_FFS 1
