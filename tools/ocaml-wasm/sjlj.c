/* setjmp/longjmp for wasm32-wasi through WebAssembly exception handling.
 *
 * The bytecode interpreter catches exceptions raised from C primitives (caml_raise) with
 * setjmp/longjmp, which WASI lacks. clang 14 with `-mexception-handling -mllvm -wasm-enable-sjlj`
 * rewrites every function that calls setjmp: it keeps a small table of the setjmp calls it has
 * passed (saveSetjmp), turns longjmp into __wasm_longjmp, which throws the __c_longjmp tag, and on
 * catching asks testSetjmp whether the jump targets this function. These helpers follow the calling
 * convention Emscripten uses for the same pass (LLVM 14), with a single thread. */
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>

struct setjmp_entry { uint32_t id, label; };

static uint32_t setjmp_counter;
static uint32_t temp_ret0;

uint32_t getTempRet0(void) { return temp_ret0; }
void setTempRet0(uint32_t v) { temp_ret0 = v; }

/* Records that `env` now names this setjmp call (label) in the caller's table; grows the table when
   full and hands its new size back through temp_ret0, as the lowered caller expects. */
struct setjmp_entry *saveSetjmp(uint32_t *env, uint32_t label, struct setjmp_entry *table, uint32_t size) {
  *env = ++setjmp_counter;
  for (uint32_t i = 0; i < size; i++) {
    if (table[i].id == 0) {
      table[i].id = *env;
      table[i].label = label;
      table[i + 1].id = 0;
      temp_ret0 = size;
      return table;
    }
  }
  uint32_t grown = size * 2;
  table = realloc(table, sizeof(struct setjmp_entry) * (grown + 1));
  if (!table) abort();
  table[size].id = *env;
  table[size].label = label;
  table[size + 1].id = 0;
  temp_ret0 = grown;
  return table;
}

/* The label of the setjmp call `id` if this table holds it, else 0 (the jump goes further up). */
uint32_t testSetjmp(uint32_t id, struct setjmp_entry *table, uint32_t size) {
  for (uint32_t i = 0; i < size && table[i].id != 0; i++)
    if (table[i].id == id) return table[i].label;
  return 0;
}

struct wasm_longjmp_args { void *env; int val; };
static struct wasm_longjmp_args longjmp_args;

void __wasm_longjmp(void *env, int val) {
  longjmp_args.env = env;
  longjmp_args.val = val == 0 ? 1 : val;
  __builtin_wasm_throw(1, &longjmp_args);
}

/* Never called. clang 14 emits the __c_longjmp tag as a weak undefined symbol unless a function in
   this object file itself calls setjmp, which makes the linker fail with "undefined tag symbol cannot
   be weak"; this function makes the tag defined here. */
int webgrpo_sjlj_anchor(jmp_buf env) {
  return setjmp(env);
}
