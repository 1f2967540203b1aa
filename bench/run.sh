#!/usr/bin/env bash
# Runs the benchmarks on demand (never part of the test suite). Builds the C baselines and the C# harness, then:
#   bench/run.sh                       every scenario, one table (about 2-3 minutes on 2 cores)
#   bench/run.sh ringbuf map-ops       only the named scenarios (bench/run.sh list shows them)
#   bench/run.sh --rounds 9            more interleaved rounds per scenario (default 5)
#   bench/run.sh micro [--filter '*']  BenchmarkDotNet micro-benchmarks (map lookup/update per op)
#   bench/run.sh guard-cost guard-import guard-e2e   the guard's figures (issue 5; README "Guard scenarios")
#   bench/run.sh trafficgen xdp-bench    the generator vs a C live-frames generator, XDP verdict costs and rates (issue 12)
# Exit status: 0 when every row with a target passes, 1 otherwise. Needs root (bpf()).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
bash bench/build-c.sh
dotnet build bench/Sluice.Benchmarks/Sluice.Benchmarks.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
harness=bench/Sluice.Benchmarks/bin/Release/net10.0/Sluice.Benchmarks

case "${1:-run}" in
    micro) shift; exec "$harness" micro "$@" ;;
    list) exec "$harness" list ;;
esac

# The guard baselines are Debian tools: xdp-filter (xdp-tools) for guard-cost, nft (nftables) for guard-e2e.
if [ $# -eq 0 ] || [[ " $* " == *" guard-cost "* ]] || [[ "$1" == --rounds && $# -eq 2 ]]; then
    command -v xdp-filter >/dev/null || apt-get install -y -q xdp-tools >/dev/null
fi
if [ $# -eq 0 ] || [[ " $* " == *" guard-e2e "* ]] || [[ "$1" == --rounds && $# -eq 2 ]]; then
    command -v nft >/dev/null || apt-get install -y -q nftables >/dev/null
fi

# The whole-process object-load scenario and trafficgen run the CLI as a process of its own, published with Native AOT.
if [ $# -eq 0 ] || [[ " $* " == *" object-load "* ]] || [[ " $* " == *" core-load "* ]] || [[ " $* " == *" trafficgen "* ]] \
    || [[ "$1" == --rounds && $# -eq 2 ]]; then
    mkdir -p bench/bin
    if ! dotnet publish src/Sluice.Cli/Sluice.Cli.csproj -c Release -r linux-x64 -p:PublishAot=true \
        -o bench/bin/sluice-aot -nologo -v quiet -clp:ErrorsOnly >bench/bin/publish.log 2>&1; then
        echo "bench: Native AOT publish of the CLI failed (see bench/bin/publish.log); object-load-process will be n/a" >&2
        rm -f bench/bin/sluice-aot/sluice
    fi
fi

exec "$harness" run "$@"
