#!/usr/bin/env bash
# Runs one benchmark side by side: in another checkout (a git worktree of an earlier commit) and in this one,
# alternately, ROUNDS times, against the same PostgreSQL cluster; then prints every numeric figure both report,
# per round and as medians, with the ratio this/other.
#
#   git worktree add --detach ../old 7a62c9b
#   eval "$(./roadmap db env)"            # one cluster for both sides
#   bench/compare.sh ../old 3 append --concurrency 8
#
# Each side's full output goes to bench/results/<benchmark>-<time>-{other,this}-<round>.log (not committed).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if [[ $# -lt 3 ]]; then
  echo "usage: bench/compare.sh OTHER_CHECKOUT ROUNDS BENCHMARK [options]" >&2
  exit 2
fi
other="$(cd "$1" && pwd)"
rounds="$2"
shift 2
name="$1"
if [[ -z "${ConnectionStrings__Roadmap:-}" ]]; then
  echo "compare.sh: set ConnectionStrings__Roadmap (eval \"\$(./roadmap db env)\") so both sides use one cluster" >&2
  exit 2
fi
results="$here/bench/results"
mkdir -p "$results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
echo "compare: $name ${*:2} | this $(git -C "$here" rev-parse --short HEAD) vs other $(git -C "$other" rev-parse --short HEAD) | $rounds rounds" >&2

for round in $(seq 1 "$rounds"); do
  for side in other this; do
    dir="$here"; [[ $side == other ]] && dir="$other"
    log="$results/$name-$stamp-$side-$round.log"
    echo "compare: round $round, $side (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    (cd "$dir" && ./roadmap bench "$@") >"$log" 2>&1 || { echo "compare: $side failed, see $log" >&2; tail -5 "$log" >&2; exit 1; }
  done
done

python3 - "$results" "$name" "$stamp" "$rounds" <<'PY'
import json, statistics, sys, glob, os
results, name, stamp, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def figures(side, r):
    with open(os.path.join(results, f"{name}-{stamp}-{side}-{r}.log")) as f:
        lines = [l for l in f.read().splitlines() if l.startswith("{")]
    flat = {}
    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}{k}.", v)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            flat[prefix[:-1]] = value
    walk("", json.loads(lines[-1]))
    return flat

rows = {side: [figures(side, r) for r in range(1, rounds + 1)] for side in ("other", "this")}
keys = [k for k in rows["this"][0] if all(k in f for f in rows["other"] + rows["this"])]
print(f"{name}: median of {rounds} rounds, other -> this (ratio this/other)")
for k in keys:
    o = statistics.median(f[k] for f in rows["other"])
    t = statistics.median(f[k] for f in rows["this"])
    ratio = f"{t / o:.2f}" if o else "n/a"
    per_round = "  ".join(f"{a[k]:g}->{b[k]:g}" for a, b in zip(rows["other"], rows["this"]))
    print(f"  {k:40} {o:>12g} -> {t:<12g} x{ratio:6}  [{per_round}]")
PY
