#!/usr/bin/env bash
# Runs every test: builds the solution (BPF fixtures included), runs each xUnit v3 test executable and
# ends with one plain line "tests: N passed, M failed, K skipped". Exits non-zero on any failure.
# With CI set (anything but "", "0" or "false"), a skipped or not-run test is a failure too: a machine that
# cannot run the kernel tests must not report green. The skipped tests are listed by name either way.
set -uo pipefail
cd "$(dirname "$0")/.."

in_ci=false
case "${CI:-}" in ""|0|false|False|FALSE) ;; *) in_ci=true ;; esac

bash scripts/bootstrap.sh || exit 1

if ! dotnet build Sluice.slnx -c Release -nologo -v quiet -clp:ErrorsOnly; then
    echo "tests: 0 passed, 1 failed (build failed)"
    exit 1
fi

# The mutation fuzzer runs a fixed seed always and one more seed when SLUICE_FUZZ_SEED is set (it skips otherwise).
# CI picks that seed from the commit, so each commit fuzzes a new seed and a failure replays from the log.
if $in_ci && [ -z "${SLUICE_FUZZ_SEED:-}" ]; then
    commit=$(git rev-parse --short=7 HEAD 2>/dev/null || echo 1)
    export SLUICE_FUZZ_SEED=$(( 16#${commit} % 2147483647 ))
    echo "SLUICE_FUZZ_SEED=$SLUICE_FUZZ_SEED (from commit $commit)"
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
passed=0; failed=0; skipped=0; status=0
for project in tests/*/*.Tests.csproj; do
    name=$(basename "$project" .csproj)
    exe="tests/$name/bin/Release/net10.0/$name"
    log="$results/$name.log"
    "$exe" -noColor -parallel collections -xml "$results/$name.xml" "$@" 2>&1 | tee "$log"
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
done

# One line per skipped or not-run test, from the runners' XML results: <test name="..." result="Skip|NotRun">.
skipped_names=$(cat "$results"/*.xml 2>/dev/null | grep -oE '<test [^>]*result="(Skip|NotRun)"' \
    | sed -E 's/.* name="([^"]*)".* result="([^"]*)".*/  \2: \1/; s/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g')
if [ "$skipped" -gt 0 ]; then
    echo "skipped tests:"
    if [ -n "$skipped_names" ]; then echo "$skipped_names"; else echo "  (names not found in the XML results)"; fi
    if $in_ci; then
        echo "CI is set: $skipped skipped test(s) count as failures"
        status=1
    fi
fi

[ "$failed" -gt 0 ] && status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
