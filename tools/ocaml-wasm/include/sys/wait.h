/* WASI has no processes: the runtime includes this header but never waits for a child, because
   s.h leaves HAS_SYSTEM undefined. The macros only let sys.c compile. */
#ifndef WEBGRPO_SYS_WAIT_H
#define WEBGRPO_SYS_WAIT_H
#define WIFEXITED(s) 1
#define WEXITSTATUS(s) (s)
#define WIFSIGNALED(s) 0
#define WTERMSIG(s) 0
#define WIFSTOPPED(s) 0
#define WSTOPSIG(s) 0
#endif
