#!/usr/bin/env bash
# Builds the C baselines (bench/c/*.c → bench/c/bin/) against Debian's libbpf, and the BPF objects they load
# (bench/c/bin/*.bpf.o from tests/Fixtures and bench/c/bpf). Incremental: a binary is rebuilt only when a source is newer.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)

for tool in gcc pkg-config clang-14; do
    command -v "$tool" >/dev/null || { echo "build-c: '$tool' missing (apt-get install -y gcc pkg-config clang-14 libbpf-dev)" >&2; exit 1; }
done
pkg-config --exists libbpf || { echo "build-c: libbpf.pc missing (apt-get install -y libbpf-dev)" >&2; exit 1; }

mkdir -p c/bin
cflags="-O2 -g -Wall -Wextra -Werror $(pkg-config --cflags libbpf)"
libs="$(pkg-config --libs libbpf) -lpthread"

for source in c/*.c; do
    name=$(basename "$source" .c)
    binary="c/bin/$name"
    if [ ! -x "$binary" ] || [ "$source" -nt "$binary" ] || [ c/bench_common.h -nt "$binary" ]; then
        gcc $cflags "$source" -o "$binary" $libs
    fi
done

# The producer and load objects (test fixtures), bench's own programs (c/bpf) and the Sluice programs a C baseline
# drives itself (trafficgen_live --program trafficgen_write), compiled exactly as the project build compiles them.
programs="$root/src/Sluice.Programs/bpf"
for source in "$root/tests/Fixtures/ringbuf_seq.bpf.c" "$root/tests/Fixtures/xdp_counter.bpf.c" c/bpf/*.bpf.c \
    "$programs/trafficgen.bpf.c"; do
    [ -f "$source" ] || continue
    object="c/bin/$(basename "$source" .c).o"
    if [ ! -f "$object" ] || [ "$source" -nt "$object" ] || [ -n "$(find "$programs/include" -newer "$object" -print -quit)" ]; then
        clang-14 -O2 -g -target bpf -Wall -Werror -Wno-unused-function -I"$programs/include" \
            -I/usr/include/x86_64-linux-gnu -c "$source" -o "$object"
    fi
done
