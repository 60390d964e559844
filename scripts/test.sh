#!/usr/bin/env bash
# Runs the whole test suite: set-up, then every test against a real PostgreSQL server that the
# tests start themselves (an embedded cluster in /tmp, stopped at exit). Release mode, because
# the engine's known-answer tests simulate real networks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --build-tests
swift test -c release --skip-build "$@"
