#!/usr/bin/env bash
# Runs the benchmarks on demand (never part of the test suite). Builds the C baselines and the C# harness, then:
#   bench/run.sh                       every scenario, one table (about 2-3 minutes on 2 cores)
#   bench/run.sh ringbuf map-ops       only the named scenarios (bench/run.sh list shows them)
#   bench/run.sh --rounds 9            more interleaved rounds per scenario (default 5)
#   bench/run.sh micro [--filter '*']  BenchmarkDotNet micro-benchmarks (map lookup/update per op)
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

# The whole-process object-load scenario runs the CLI as users get it: published with Native AOT.
if [ $# -eq 0 ] || [[ " $* " == *" object-load "* ]] || [[ "$1" == --rounds && $# -eq 2 ]]; then
    mkdir -p bench/bin
    if ! dotnet publish src/Sluice.Cli/Sluice.Cli.csproj -c Release -r linux-x64 -p:PublishAot=true \
        -o bench/bin/sluice-aot -nologo -v quiet -clp:ErrorsOnly >bench/bin/publish.log 2>&1; then
        echo "bench: Native AOT publish of the CLI failed (see bench/bin/publish.log); object-load-process will be n/a" >&2
        rm -f bench/bin/sluice-aot/sluice
    fi
fi

exec "$harness" run "$@"
