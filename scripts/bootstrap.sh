#!/usr/bin/env bash
# Installs what building and running Sluice needs on a fresh Debian machine, and mounts bpffs.
# Idempotent and quiet when everything is already there.
set -euo pipefail

need=()
command -v clang-14 >/dev/null || need+=(clang-14)
command -v llc-14 >/dev/null || need+=(llvm-14)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
command -v bpftool >/dev/null || need+=(bpftool)
command -v ip >/dev/null || need+=(iproute2)
command -v nsenter >/dev/null || need+=(util-linux)
command -v ethtool >/dev/null || need+=(ethtool)
[ -f /usr/lib/x86_64-linux-gnu/pkgconfig/libbpf.pc ] || need+=(libbpf-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
# Traffic and capture tools the kernel tests drive (echo/forward/TC apps, tracing's uprobe target, bench baselines).
command -v gcc >/dev/null || need+=(gcc)
command -v ping >/dev/null || need+=(iputils-ping)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v nc >/dev/null || need+=(netcat-openbsd)
command -v nft >/dev/null || need+=(nftables)
command -v xdp-filter >/dev/null || need+=(xdp-tools)

if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "bootstrap: missing packages (${need[*]}); run as root or: sudo apt-get install -y ${need[*]}" >&2
        exit 1
    fi
    echo "bootstrap: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1
        apt-get install -y -q "${need[@]}" >/dev/null
    }
fi

command -v dotnet >/dev/null || { echo "bootstrap: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }

# bpffs is not mounted at boot on our machines; pinning needs it. Mode 0700, as the library mounts it: pinned
# state must not sit in a directory where another user can plant names first.
if [ "$(id -u)" -eq 0 ] && ! mount | grep -q ' /sys/fs/bpf type bpf'; then
    mkdir -p /sys/fs/bpf
    mount -t bpf -o mode=0700 bpf /sys/fs/bpf
fi
