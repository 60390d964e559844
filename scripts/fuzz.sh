#!/usr/bin/env bash
# Fuzzes the NIfTI header/voxel reader and the ingest's companion parsers (sidecar JSON, TSV
# tables, .bval/.bvec numbers, BIDS names) with libFuzzer through swiftc -sanitize=fuzzer,address.
# Not part of the build or of CI: run it by hand, for a bounded time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     # default 60
#
# Each target starts from its committed seeds (scripts/fuzz/corpus/<target>/) and from every
# input that ever crashed it (scripts/fuzz/crashes/<target>/, replayed by the test suite). New
# corpus entries go to a scratch folder; a crash is copied into crashes/<target>/ and the script
# exits non-zero: commit it with the fix, and the regression tests read it from there.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${DTB_FUZZ_BUILD:-/tmp/dtb-fuzz-$$}
mkdir -p "$build"
flags=(-O -sanitize=fuzzer,address -parse-as-library)

# The sanitizer runtime makes gold warn about every symbol it keeps local: keep that in a log.
compile() {
    if ! swiftc "${flags[@]}" "$@" > "$build/compile.log" 2>&1; then
        grep -v "Cannot export local symbol" "$build/compile.log" >&2
        exit 1
    fi
}
compile -module-name NIfTI -I Sources/CNIfTI -Xcc -I/usr/include/nifti \
    Sources/NIfTI/*.swift scripts/fuzz/NIfTIHarness.swift -o "$build/fuzz-nifti"
compile -module-name Ingest \
    Sources/Ingest/BIDS.swift Sources/Ingest/Companions.swift scripts/fuzz/CompanionHarness.swift -o "$build/fuzz-companions"

status=0
for target in nifti companions; do
    work="$build/corpus-$target"
    mkdir -p "$work" "$build/artifacts-$target" scripts/fuzz/crashes/$target
    echo "fuzzing $target for $seconds s"
    if ! "$build/fuzz-$target" "$work" scripts/fuzz/corpus/$target scripts/fuzz/crashes/$target \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
        -artifact_prefix="$build/artifacts-$target/" -print_final_stats=1 2> "$build/$target.log"; then
        status=1
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$build/$target.log" || true
    for crash in "$build/artifacts-$target"/*; do
        [ -e "$crash" ] || continue
        cp "$crash" scripts/fuzz/crashes/$target/
        echo "$target: crash input saved as scripts/fuzz/crashes/$target/$(basename "$crash") (log: $build/$target.log)"
        status=1
    done
done
exit $status
