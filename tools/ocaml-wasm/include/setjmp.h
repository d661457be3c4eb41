/* wasi-libc (2022) has no setjmp.h. clang's -mllvm -wasm-enable-sjlj recognises calls to functions
   named setjmp and longjmp and lowers them to WebAssembly exception handling; the buffer only has to
   hold the identifier that saveSetjmp writes into it (see sjlj.c). */
#ifndef WEBGRPO_SETJMP_H
#define WEBGRPO_SETJMP_H
typedef unsigned long jmp_buf[4];
typedef jmp_buf sigjmp_buf;
int setjmp(jmp_buf env);
_Noreturn void longjmp(jmp_buf env, int val);
#endif
