/* Process-identity functions the runtime and its Unix-flavoured code reference but WASI lacks.
   A sandboxed program has one user and one process, so fixed answers are truthful enough. */
#include <sys/types.h>

uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }
pid_t getppid(void) { return 0; }

/* Without sockets debugger.c compiles to no-ops but leaves out this function, which the interpreter's
   BREAK instruction names; only a debugger plants BREAK, and there is none here. */
#include <stdint.h>
#include <stdlib.h>
int32_t caml_debugger_saved_instruction(int32_t *pc) { (void)pc; abort(); }
