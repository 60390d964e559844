#!/usr/bin/env bash
# Soak (not in CI): several dtb processes ingest, build, run and repair one new data home at once
# while some are killed with SIGKILL at random moments, for a bounded time; then `dtb fsck
# --repair` must leave no problem (what kills may leave, orphans and stale staging, is repaired
# and counted; a missing or damaged recorded file is a violation), and every process must have
# ended by exit 0, a one-line `dtb:` error, or our kill (a trap or other signal is a violation).
#
# usage: scripts/soak.sh [-d SECONDS] [-w WORKERS] [-k PERCENT] [-s SEED]
#   -d  how long the workers start new operations (default 300)
#   -w  concurrent workers (default 4)      -k  share of operations killed (default 30)
#   -s  seed of the random choices (default: the time)
# DTB=path/to/dtb (default .build/release/dtb); DTB_ATLAS_MIRROR (default ../shared/atlas-data).
# The data home is a new folder under /tmp, stopped and kept at the end (its path is printed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=300; workers=4; kill_percent=30; seed=$(date +%s)
while getopts "d:w:k:s:" opt; do
  case $opt in
    d) duration=$OPTARG ;; w) workers=$OPTARG ;; k) kill_percent=$OPTARG ;; s) seed=$OPTARG ;;
    *) sed -n '8,12p' "$0" >&2; exit 2 ;;
  esac
done
dtb=${DTB:-$root/.build/release/dtb}
[ -x "$dtb" ] || { echo "soak: $dtb is not built (swift build -c release --product dtb)" >&2; exit 2; }
export DTB_ATLAS_MIRROR=${DTB_ATLAS_MIRROR:-$root/../shared/atlas-data}
unset DTB_DATABASE_URL
work=$(mktemp -d /tmp/dtb-soak.XXXXXX)
chmod 755 "$work"   # as root, the server runs as postgres, who must reach the home
export DTB_HOME=$work/home
log=$work/log
mkdir -p "$log"
RANDOM=$seed
subjects=3

say() { echo "soak: $*" >&2; }

# Set-up (not killed): the atlas, and the demo's sample subject copied under several labels.
# `dtb demo` writes and ingests the sample subject first; it is stopped once it starts building.
say "home $DTB_HOME, $workers workers for ${duration}s, ${kill_percent}% killed, seed $seed"
"$dtb" demo --threads 1 >"$log/demo.out" 2>"$log/demo.err" &
demo=$!
until grep -q "^building" "$log/demo.err" 2>/dev/null || ! kill -0 $demo 2>/dev/null; do sleep 0.5; done
kill -9 $demo 2>/dev/null || true
wait $demo 2>/dev/null || true
[ -f "$DTB_HOME/sample-subject/participants.tsv" ] || { say "the demo did not write the sample subject:"; cat "$log/demo.err" >&2; exit 1; }
for n in $(seq 1 $subjects); do
  copy=$work/bids-soak$n
  cp -r "$DTB_HOME/sample-subject" "$copy"
  find "$copy" -depth -name '*sub-sample*' | while read -r path; do
    mv "$path" "$(dirname "$path")/$(basename "$path" | sed "s/sub-sample/sub-soak$n/")"
  done
  sed -i "s/sub-sample/sub-soak$n/" "$copy/participants.tsv"
done

# One operation, chosen at random; prints its command line.
operation() {
  local n=$((RANDOM % subjects + 1)) choice=$((RANDOM % 10))
  if [ $choice -lt 3 ]; then echo "ingest $work/bids-soak$n --atlas brainnetome246"
  elif [ $choice -lt 6 ]; then echo "twin build soak$n --atlas brainnetome246 --neurons 3500 --degree 10 --seed $((RANDOM % 2 + 1))"
  elif [ $choice -lt 9 ]; then echo "twin run soak$n-brainnetome246 --seconds 2 --tr 1 --seed $((RANDOM % 2 + 1)) --threads 1"
  else echo "fsck --repair"
  fi
}

# A worker: operations until the deadline, some killed after a random delay (0–4 s).
worker() {
  local id=$1 deadline=$2 i=0
  RANDOM=$((seed + id))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    i=$((i + 1))
    local args; args=$(operation)
    local out=$log/w$id-$i
    # shellcheck disable=SC2086
    "$dtb" $args >"$out.out" 2>"$out.err" &
    local pid=$! killed=0
    if [ $((RANDOM % 100)) -lt "$kill_percent" ]; then
      sleep "$((RANDOM % 4)).$((RANDOM % 10))"
      kill -9 $pid 2>/dev/null && killed=1
    fi
    local status=0
    wait $pid || status=$?
    echo "$id $i $killed $status $args" >>"$log/operations"
  done
}

deadline=$(( $(date +%s) + duration ))
for id in $(seq 1 "$workers"); do worker "$id" "$deadline" & done
wait

# Figures and invariants.
operations=$(wc -l <"$log/operations")
kills=$(awk '$3 == 1 && $4 == 137' "$log/operations" | wc -l)
succeeded=$(awk '$4 == 0' "$log/operations" | wc -l)
refused=0; violations=0
while read -r id i killed status args; do
  [ "$status" -eq 0 ] && continue
  [ "$killed" -eq 1 ] && [ "$status" -eq 137 ] && continue
  err=$log/w$id-$i.err
  # fsck --repair fails only while a recorded file is missing or damaged: never acceptable.
  if [ "$status" -eq 1 ] && [ "$(grep -c '^dtb: ' "$err")" -eq 1 ] && ! grep -q SQLSTATE "$err" && [ "${args%% *}" != fsck ]; then
    refused=$((refused + 1))
  else
    violations=$((violations + 1)); say "violation: dtb $args exited $status: $(tail -c 300 "$err" | tr '\n' ' ')"
  fi
done <"$log/operations"
set +e
"$dtb" fsck --repair --json >"$log/fsck.json" 2>"$log/fsck.err"; fsck_status=$?
set -e
say "fsck --repair: exit $fsck_status, $(tr -d ' \n' <"$log/fsck.json" | grep -o '"kind":"[a-z_]*"' | sort | uniq -c | tr '\n' ' ')"
if [ $fsck_status -ne 0 ]; then
  violations=$((violations + $(grep -o '"remaining" : [0-9]*' "$log/fsck.json" | grep -o '[0-9]*$' || echo 1)))
  cat "$log/fsck.json" >&2
fi
"$dtb" fsck >/dev/null 2>&1 || { violations=$((violations + 1)); say "violation: a second fsck still finds problems"; }
"$dtb" db stop >/dev/null 2>&1 || true
echo "operations $operations, succeeded $succeeded, killed $kills, refused with a one-line error $refused, violations $violations"
awk '{k = ($5 == "twin") ? $5 " " $6 : $5; n[k]++; if ($3 == 1 && $4 == 137) x[k]++}
     END {for (k in n) printf "  %-12s %4d operations, %4d killed\n", k, n[k], x[k]}' "$log/operations" | sort
echo "data home and logs: $work"
[ $violations -eq 0 ]
