#!/usr/bin/env bash
# Reproduces the shapes of the DTB's virtual experiments (design note §5) on the demo's fitted
# twin: rewiring lowers the FC similarity to the subject as P grows; a V1 → ventral-stream lesion
# changes hippocampal activity more than a V1 → motor lesion; 125 Hz pulses raise the stimulated
# regions' rates and their power at 125 Hz; an NMDA block changes the FC similarity. Not part of
# the tests: a fit good enough for these effects takes minutes and the studies about an hour on 2
# cores. Usage: DTB_HOME=/tmp/shapes scripts/published-shapes.sh (the demo is run there first).
set -euo pipefail
cd "$(dirname "$0")/.."
dtb="${DTB:-.build/release/dtb}"
: "${DTB_HOME:?set DTB_HOME to a scratch data home}"
export DTB_HOME
twin=sample-brainnetome246@2
"$dtb" twin show "$twin" >/dev/null 2>&1 || "$dtb" demo
study() { "$dtb" study create "$@" --seeds "${SEEDS:-3}" --json > "$DTB_HOME/$1.json"; }
study shapes-rewire --twin "$twin" "rewire:p=0,k=4" --sweep p=0:1:0.5
study shapes-lesion-ventral --twin "$twin" "lesion:from=gyrus/MVOcC,to=gyrus/LOcC+gyrus/FuG+gyrus/ITG"
study shapes-lesion-motor --twin "$twin" "lesion:from=gyrus/MVOcC,to=gyrus/PrG+gyrus/PCL"
study shapes-dbs --twin "$twin" "stimulate:regions=gyrus/BG,waveform=pulses,frequency=125,width=1,amplitude=6"
study shapes-nmda --twin "$twin" "receptor:channel=nmda,factor=0"
python3 - "$DTB_HOME" <<'PY'
import json, sys
home = sys.argv[1]
def load(name): return json.load(open(f"{home}/{name}.json"))["study"]
def effects(study, outcome, units=None):
    return [e for e in study["effects"] if e["outcome"] == outcome and (units is None or e["unit"] in units)]
def line(e): return f'{e["unit"]}: {e["control_mean"]:.4g} → {e["treated_mean"]:.4g}, Δ {e["difference"]:.4g} [{e.get("lower", float("nan")):.4g}, {e.get("upper", float("nan")):.4g}], q {e.get("q", float("nan")):.3g}'
rewire = load("shapes-rewire")
print("rewiring: FC similarity per P:", ", ".join(f'{a["label"]} {a["fc_similarity"]:.3f} [{a.get("fc_similarity_lower", 0):.3f}, {a.get("fc_similarity_upper", 0):.3f}]' for a in rewire["arms"]))
t = rewire.get("trend")
if t: print(f'  trend: slope {t["slope"]:.4f} ± {t["standard_error"]:.4f} per unit P, p {t["p"]:.3g}')
hippocampus = ["rHipp_L", "rHipp_R", "cHipp_L", "cHipp_R"]
for name in ["shapes-lesion-ventral", "shapes-lesion-motor"]:
    s = load(name)
    for outcome in ["rate_hz", "bold_r"]:
        es = effects(s, outcome, hippocampus)
        print(f"{name} hippocampus {outcome}: sum |Δ| {sum(abs(e['difference']) for e in es):.4g}")
        for e in es: print("  ", line(e))
dbs = load("shapes-dbs")
bg = [u for a in dbs["arms"][1]["interventions"] for u in a["stimulate"]["stimulation"]["units"]]
for outcome in ["rate_hz", "psd_125hz"]:
    es = effects(dbs, outcome, bg)
    print(f"125 Hz pulses into BG, {outcome}: {sum(e['difference'] > 0 for e in es)} of {len(es)} regions up, {sum((e.get('lower') or 0) > 0 for e in es)} with CI above 0")
nmda = load("shapes-nmda")
for outcome in ["fc_similarity", "mean_bold_r", "mean_rate_hz"]:
    for e in effects(nmda, outcome): print(f"NMDA block {outcome}:", line(e))
PY
