#!/usr/bin/env bash
# Writes every output the tool produces (simulate on each scenario with a trace, a sweep,
# a plan, a fit, replay of every fixture, the fixture suite) into OUT, so that two builds can be compared
# byte for byte:
#
#   tests/scripts/outputs.sh target/release/replywindow /tmp/before
#   ... change the code, build again ...
#   tests/scripts/outputs.sh target/release/replywindow /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
set -euo pipefail
bin=$(realpath "$1")
out=$2
cd "$(dirname "$0")/../.."
rm -rf "$out"
mkdir -p "$out"
run() { "$bin" "$@" --quiet >/dev/null; }

run simulate --replications 3 --trace 0 --out "$out/simulate/default-embedded"
for s in scenarios/*.toml; do
  name=$(basename "$s" .toml)
  horizon=()
  [ "$name" = large ] && horizon=(--horizon 9d)
  run simulate "$s" --replications 3 --trace 0 "${horizon[@]}" --out "$out/simulate/$name"
done
run sweep scenarios/weekend-gap.toml --vary 'operators.shifts[1].operators=0..2' \
  --replications 3 --out "$out/sweep/weekend-gap"
run sweep scenarios/default.toml --vary 'bots.window_warning=off,1h' \
  --vary 'operators.shifts[0].operators=2..3' --replications 2 --out "$out/sweep/grid"
"$bin" fixtures --out "$out/fixtures" >/dev/null
mkdir -p "$out/replay"
for f in "$out"/fixtures/*.csv tests/data/*.csv; do
  case $(basename "$f") in MANIFEST.csv) continue ;; esac
  policy=()
  p="${f%.csv}.toml"
  [ -f "$p" ] && policy=(--policy "$p")
  "$bin" replay "$f" "${policy[@]}" >"$out/replay/$(basename "$f")"
done
run plan scenarios/weekend-gap.toml --out "$out/plan/weekend-gap"
# Relative paths: the fit names its log in its output.
(cd "$out" && "$bin" scenario fit simulate/default-embedded/trace.csv --out fit/fitted.toml \
  2>fit.stderr)
"$bin" replay --explain "$out/fixtures/boundary.csv" >"$out/replay/boundary-explained.csv"
# A sweep's resumable record (results.csv) keeps rows in the order they finished, which
# depends on the threads: sorted here, so that only its content is compared.
for r in "$out"/sweep/*/results.csv; do
  { head -n 1 "$r"; tail -n +2 "$r" | LC_ALL=C sort; } >"$r.sorted" && mv "$r.sorted" "$r"
done
echo "outputs written into $out"
