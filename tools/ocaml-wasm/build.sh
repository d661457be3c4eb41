#!/bin/sh
# Builds the OCaml 4.13.1 bytecode runtime (ocamlrun) for wasm32-wasi and gathers what the OCaml reward
# runs on it: Debian's own ocamlc.byte (the compiler, itself bytecode) and the standard library.
# Output goes to public/ocaml/; tools/ocaml-wasm/SHA256SUMS records the checksums that a test checks.
#
#   sudo tools/ocaml-wasm/build.sh            # on Debian 12 (bookworm), as root for apt
#
# Only Debian packages are used: the native ocaml-nox 4.13.1 provides ocamlc.byte and the stdlib, whose
# sources are exactly those of `apt-get source ocaml=4.13.1-4`, so the bytecode and the runtime agree.
# Why it is done this way:
#   - configure runs natively, only to generate headers; m.h and s.h (next to this script) describe
#     wasm32 and WASI by hand: 32-bit words, no signals, dynamic linking, sockets, mmap or processes.
#   - WASI has no setjmp/longjmp; clang lowers them to wasm exception handling (sjlj.c has the helpers).
#   - threaded code is off (SHRINKED_GNUC): wasm has no computed goto worth having.
#   - memory is imported, so the host chooses the memory cap of each run.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT="$ROOT/public/ocaml"
WORK=${WORK:-/tmp/webgrpo-ocaml-build}
PACKAGES="clang lld wasi-libc libclang-rt-14-dev-wasm32 ocaml-nox dpkg-dev make"

if [ "$(id -u)" = 0 ]; then
  # apt-get source needs a deb-src entry; a private list leaves the system's lists untouched.
  SRC_LIST=/etc/apt/sources.list.d/webgrpo-ocaml-src.sources
  [ -f "$SRC_LIST" ] || printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$SRC_LIST"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES
fi
[ "$(ocamlc -version)" = 4.13.1 ] || { echo "need ocaml-nox 4.13.1 (Debian 12); found $(ocamlc -version)" >&2; exit 1; }

mkdir -p "$WORK" && cd "$WORK"
[ -d ocaml-4.13.1 ] || apt-get source ocaml=4.13.1-4
SRC="$WORK/ocaml-4.13.1"
cd "$SRC"
[ -f runtime/caml/s.h ] || ./configure --disable-native-compiler --disable-ocamldoc --disable-debugger > configure.log
make -C runtime prims.c caml/opnames.h caml/jumptbl.h caml/version.h > /dev/null
cp "$HERE/m.h" "$HERE/s.h" runtime/caml/
printf '#define OCAML_STDLIB_DIR "/usr/lib/ocaml"\n#define HOST "wasm32-unknown-wasi"\n' > runtime/build_config.h

RUNTIME_C="interp misc stacks fix_code startup_aux startup_byt freelist major_gc minor_gc memory alloc
  roots_byt globroots fail_byt signals signals_byt printexc backtrace_byt backtrace compare ints eventlog
  floats str array io extern intern hash sys meta parsing gc_ctrl md5 obj lexing callback debugger weak
  compact finalise custom dynlink afl unix bigarray main memprof domain skiplist codefrag prims"
CFLAGS="--target=wasm32-wasi -O2 -fno-strict-aliasing -fwrapv -mexception-handling -mllvm -wasm-enable-sjlj
  -I$HERE/include -Iruntime -DCAML_NAME_SPACE -DCAMLDLLIMPORT= -DSHRINKED_GNUC
  -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID
  -Wno-everything"
mkdir -p wasm-obj
for f in $RUNTIME_C; do
  clang $CFLAGS -c "runtime/$f.c" -o "wasm-obj/$f.o"
done
clang $CFLAGS -c "$HERE/sjlj.c" -o wasm-obj/sjlj.o
clang $CFLAGS -c "$HERE/stubs.c" -o wasm-obj/stubs.o

mkdir -p "$OUT"
# 16 MiB to start; the declared maximum (2 GiB) only bounds the cap a host may choose.
clang --target=wasm32-wasi -O2 -mexception-handling -o "$OUT/ocamlrun.wasm" wasm-obj/*.o \
  -lwasi-emulated-signal -lwasi-emulated-process-clocks -lwasi-emulated-getpid -lm \
  -Wl,--import-memory,--initial-memory=16777216,--max-memory=2147483648 \
  -Wl,-z,stack-size=1048576 -Wl,--strip-all

# The compiler, without its debug-info section (2/3 of its size; only backtraces use it).
node "$HERE/strip-bytecode.mjs" /usr/bin/ocamlc.byte "$OUT/ocamlc.byte" DBUG
# The standard library: the archive, the exit module, the executable header and every interface.
rm -rf "$OUT/stdlib" && mkdir -p "$OUT/stdlib"
cp /usr/lib/ocaml/stdlib.cma /usr/lib/ocaml/std_exit.cmo /usr/lib/ocaml/camlheader "$OUT/stdlib/"
cp /usr/lib/ocaml/stdlib.cmi /usr/lib/ocaml/stdlib__*.cmi /usr/lib/ocaml/camlinternal*.cmi /usr/lib/ocaml/std_exit.cmi "$OUT/stdlib/"
cp "$SRC/LICENSE" "$OUT/LICENSE"
(cd "$OUT/stdlib" && ls > ../stdlib-files.txt)

cd "$ROOT" && find public/ocaml -type f | LC_ALL=C sort | xargs sha256sum > "$HERE/SHA256SUMS"
echo "built: $(du -sh "$OUT" | cut -f1) in public/ocaml"
