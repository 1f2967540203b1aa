#!/usr/bin/env bash
# Manual compatibility sweep (issue 10's "done when"): bcc's libbpf-tools CO-RE objects, loaded by
# `bpftool prog loadall` and by `sluice object load`; where both load, `bpftool prog dump xlated` of every program
# must agree (map ids and kernel addresses masked). Not part of CI: it needs a bcc checkout (network) and root.
#
#   sudo bench/libbpf-tools-sweep.sh BCC_CHECKOUT [WORKDIR]
#
# BCC_CHECKOUT holds libbpf-tools/*.bpf.c (git clone https://github.com/iovisor/bcc). The objects are compiled
# here against a vmlinux.h of the running kernel and Debian's libbpf-dev headers (1.1.2); bcc builds against its
# newer libbpf submodule, so a few sources using newer macros do not compile (listed as "cc-fail").
# Prints one line per object: NAME bpftool=ok|fail sluice=ok|fail xlated=same|DIFF(prog,...)|-, and a summary.
# Exit status 1 when any object loads in one loader only or any xlated dump differs.
set -uo pipefail
bcc="${1:?usage: libbpf-tools-sweep.sh BCC_CHECKOUT [WORKDIR]}"
work="${2:-$(mktemp -d /tmp/libbpf-tools-sweep.XXXXXX)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sluice="${SLUICE:-$root/sluice}"   # SLUICE=path/to/a/built/sluice skips the launcher's build check
mkdir -p "$work/obj" "$work/log"
[ -s "$work/vmlinux.h" ] || bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$work/vmlinux.h"

# Map ids and kernel addresses differ between two loads; source annotations are dropped because they are not
# what the kernel runs.
normalize() { sed -E -e 's/map\[id:[0-9]+\]/map[id:N]/g' -e 's/0xffff[0-9a-f]{12}/0xADDR/g' | grep -v -e '^;' -e '^$' -e '):$'; }

# bpftool in a private mount namespace with its own bpffs: libbpf pins LIBBPF_PIN_BY_NAME maps at the bpffs root.
bpftool_load() {
    unshare --mount --propagation private sh -c '
        mount -t bpf bpf /sys/fs/bpf || exit 97
        bpftool prog loadall "$1" /sys/fs/bpf/p 2>"$2.err" || exit 1
        for p in /sys/fs/bpf/p/*; do bpftool prog dump xlated pinned "$p" >"$2.$(basename "$p").xlated"; done' \
        sh "$1" "$2"
}

sluice_load() {
    local pins="/sys/fs/bpf/sweep-$$-$3"
    mkdir -p "$pins"
    if "$sluice" object load "$1" --pin "$pins" >/dev/null 2>"$2.err"; then
        for p in "$pins"/*; do bpftool prog dump xlated pinned "$p" >"$2.$(basename "$p").xlated"; done
        rm -rf "$pins"
        return 0
    fi
    rm -rf "$pins"
    return 1
}

total=0; both=0; neither=0; mismatch=0; ccfail=0
for src in "$bcc"/libbpf-tools/*.bpf.c; do
    name="$(basename "$src" .bpf.c)"
    obj="$work/obj/$name.bpf.o"
    total=$((total + 1))
    if ! clang-14 -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$work" -I"$bcc/libbpf-tools" \
            -I/usr/include/x86_64-linux-gnu -c "$src" -o "$obj" 2>"$work/log/$name.cc"; then
        echo "$name cc-fail $(grep -m1 'error:' "$work/log/$name.cc" | sed 's/.*error: //')"
        ccfail=$((ccfail + 1)); continue
    fi
    rm -f "$work/log/$name".*xlated
    bpftool_load "$obj" "$work/log/$name.bpftool"; b=$?
    sluice_load "$obj" "$work/log/$name.sluice" "$name"; s=$?
    bt=$([ $b -eq 0 ] && echo ok || echo fail); st=$([ $s -eq 0 ] && echo ok || echo fail)
    xl="-"
    if [ $b -eq 0 ] && [ $s -eq 0 ]; then
        both=$((both + 1)); diffs=()
        for x in "$work/log/$name.bpftool".*.xlated; do
            prog="${x#"$work/log/$name.bpftool."}"; prog="${prog%.xlated}"
            if ! cmp -s <(normalize <"$x") <(normalize <"$work/log/$name.sluice.$prog.xlated" 2>/dev/null); then diffs+=("$prog"); fi
        done
        if [ ${#diffs[@]} -eq 0 ]; then xl=same; else xl="DIFF(${diffs[*]})"; mismatch=$((mismatch + 1)); fi
    elif [ $b -ne 0 ] && [ $s -ne 0 ]; then
        neither=$((neither + 1))
    else
        mismatch=$((mismatch + 1))
    fi
    why=""
    [ $b -ne 0 ] && why="bpftool: $(grep -m1 -E 'failed|error|Error' "$work/log/$name.bpftool.err" | cut -c1-100)"
    [ $s -ne 0 ] && why="$why | sluice: $(head -1 "$work/log/$name.sluice.err" | cut -c1-140)"
    echo "$name bpftool=$bt sluice=$st xlated=$xl ${why}"
done
echo "objects=$total compiled=$((total - ccfail)) both-load=$both both-refuse=$neither disagreements=$mismatch (work dir $work)"
[ $mismatch -eq 0 ]
