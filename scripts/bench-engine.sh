#!/usr/bin/env bash
# The shared COBA benchmark (../shared/peers/NETWORK.md) on dtb, NEST and Brian2 at the same sizes
# and thread counts, printed as one side-by-side table from this one run.
#
# usage: scripts/bench-engine.sh [-n "10000 100000"] [-t "1 2"] [-p "nest brian2"] [-r 2000]
#   -n  network sizes            -t  thread counts
#   -p  peer simulators to run   -r  Poisson drive per neuron (Hz)
# The peers install into a virtual environment on first use (several minutes; PyPI must be
# reachable). DTB=path/to/dtb skips the release build. Progress goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes="10000 100000"; threads="1 2"; peers="nest brian2"; rate=2000
while getopts "n:t:p:r:" opt; do
  case $opt in
    n) sizes=$OPTARG ;; t) threads=$OPTARG ;; p) peers=$OPTARG ;; r) rate=$OPTARG ;;
    *) sed -n '5,9p' "$0" >&2; exit 2 ;;
  esac
done
peer_runner=$root/../shared/peers/run.sh
dtb=${DTB:-}
if [ -z "$dtb" ]; then
  (cd "$root" && swift build -c release --product dtb >&2)
  dtb=$root/.build/release/dtb
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for n in $sizes; do
  for t in $threads; do
    echo "dtb N=$n threads=$t" >&2
    "$dtb" bench engine --workload coba --neurons "$n" --threads "$t" --rate "$rate" --json >>"$results"
    for peer in $peers; do
      echo "$peer N=$n threads=$t" >&2
      "$peer_runner" "$peer" "$n" "$t" "$rate" | tail -n 1 >>"$results"
    done
  done
done
python3 - "$results" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
rows, decoder, i = [], json.JSONDecoder(), 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    doc, i = decoder.raw_decode(text, i)
    if doc.get("simulator") == "dtb":
        machine = doc["machine"]
        for r in doc["runs"]:
            rows.append(dict(simulator="dtb", N=r["neurons"], threads=r["threads"], build_s=r["build_s"],
                             sim_s=r["sim_s"], rtf=r["rtf"], spikes=r["spikes"], rate_hz=r["rate_hz"],
                             events_per_s=r["events_per_s"], updates_per_s=r["updates_per_s"],
                             peak_rss_mb=r["peak_rss_mb"]))
    else:
        rows.append(doc)
order = {"dtb": 0, "nest": 1}
rows.sort(key=lambda r: (r["N"], r["threads"], order.get(r["simulator"], 2)))
print(f"COBA benchmark (../shared/peers/NETWORK.md) — {machine['cpu']}, {machine['cores']} cores, "
      f"load at start {machine['load_average']}")
head = ("simulator", "N", "threads", "build s", "sim s", "RTF", "spikes", "rate Hz", "events/s",
        "updates/s", "RSS MB")
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for r in rows:
    print(f"| {r['simulator']} | {r['N']} | {r['threads']} | {r['build_s']:.2f} | {r['sim_s']:.2f} | "
          f"{r['rtf']:.2f} | {r['spikes']} | {r['rate_hz']:.2f} | {r['events_per_s'] / 1e6:.1f} M | "
          f"{r['updates_per_s'] / 1e6:.0f} M | {r['peak_rss_mb']:.0f} |")
PY
