#!/usr/bin/env bash
# The main job on the embedded default: set-up, build, then `dtb demo` (starts dtb's own
# PostgreSQL cluster, imports both built-in atlases, prints their summaries).
# Uses ../shared/atlas-data as the atlas mirror when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product dtb >&2
exec .build/release/dtb demo "$@"
