#!/usr/bin/env bash
# Runs every test: builds the solution (BPF fixtures included), runs each xUnit v3 test executable and
# ends with one plain line "tests: N passed, M failed, K skipped". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh || exit 1

if ! dotnet build Sluice.slnx -c Release -nologo -v quiet -clp:ErrorsOnly; then
    echo "tests: 0 passed, 1 failed (build failed)"
    exit 1
fi

passed=0; failed=0; skipped=0; status=0
for project in tests/*/*.Tests.csproj; do
    name=$(basename "$project" .csproj)
    exe="tests/$name/bin/Release/net10.0/$name"
    log=$(mktemp)
    "$exe" -noColor -parallel collections "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    summary=$(grep -E "^\s*$name\s+Total:" "$log" | tail -1)
    if [ -z "$summary" ]; then
        echo "test runner for $name printed no summary (exit $rc)"
        failed=$((failed + 1)); status=1
    else
        total=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"$summary")
        errors=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$summary")
        fail=$(sed -E 's/.*Failed: ([0-9]+).*/\1/' <<<"$summary")
        skip=$(sed -E 's/.*Skipped: ([0-9]+).*/\1/' <<<"$summary")
        notrun=$(sed -E 's/.*Not Run: ([0-9]+).*/\1/' <<<"$summary")
        passed=$((passed + total - fail - skip - notrun))
        failed=$((failed + fail + errors))
        skipped=$((skipped + skip + notrun))
        [ "$rc" -ne 0 ] && status=1
    fi
    rm -f "$log"
done

[ "$failed" -gt 0 ] && status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
