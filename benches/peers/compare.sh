#!/usr/bin/env bash
# Runs replywindow and SimPy on the same M/M/c workload and prints, for each, simulated
# customers per second (a figure that does not depend on how an engine counts events),
# events per second, and the ratios. By hand, not in CI: it needs `pip install simpy`.
#
# Usage: benches/peers/compare.sh [ARRIVALS_PER_HOUR] [HANDLE_MINUTES] [OPERATORS] [DAYS]
set -euo pipefail
cd "$(dirname "$0")/../.."
arrivals=${1:-100}
handle=${2:-3}
operators=${3:-6}
days=${4:-365}
python3 -c "import simpy" 2>/dev/null || { echo "SimPy is missing: pip install simpy" >&2; exit 2; }

cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/mmc.toml" <<TOML
name = "mmc"
start = "2026-03-02T00:00"
time_zone = "UTC"
horizon = "${days}d"
replications = 1
seed = 1
[channels.whatsapp]
arrivals_per_day = $((arrivals * 24))
[customers]
follow_up_probability = 0
nudge_probability = 0
[operators]
concurrency = 1
handle_time = { distribution = "exponential", mean = "${handle}m" }
[[operators.shifts]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "24:00"
operators = $operators
[policy.whatsapp]
window = "$((days + 1))d"
TOML

echo "workload: M/M/$operators, $arrivals arrivals an hour, mean handle time $handle min, $days days, one core"
target/release/replywindow simulate "$work/mmc.toml" --threads 1 --quiet --stats --out "$work/out" 2> "$work/stats.txt"
rw_customers=$(awk '/^customers:/ {print $2}' "$work/stats.txt")
rw_events=$(awk '/^events handled:/ {print $3}' "$work/stats.txt")
rw_wall=$(awk '/^wall time:/ {print $3}' "$work/stats.txt")
rw_pwait=$(awk -F, '$1=="whatsapp" && $2=="wait_probability" {print $4}' "$work/out/summary.csv")
echo "replywindow customers=$rw_customers events=$rw_events wall=$rw_wall p_wait=$rw_pwait"

py=$(python3 benches/peers/mmc_simpy.py "$arrivals" "$handle" "$operators" "$((days * 24))" 1)
echo "$py"
py_customers=$(echo "$py" | sed 's/.*customers=\([0-9]*\).*/\1/')
py_events=$(echo "$py" | sed 's/.* events=\([0-9]*\).*/\1/')
py_wall=$(echo "$py" | sed 's/.*wall=\([0-9.]*\).*/\1/')

python3 - "$rw_customers" "$rw_events" "$rw_wall" "$py_customers" "$py_events" "$py_wall" <<'PY'
import sys
rc, re_, rw, pc, pe, pw = map(float, sys.argv[1:])
print(f"{'':12} {'customers/s':>14} {'events/s':>14}")
print(f"{'replywindow':12} {rc / rw:14.0f} {re_ / rw:14.0f}")
print(f"{'simpy':12} {pc / pw:14.0f} {pe / pw:14.0f}")
print(f"{'ratio':12} {(rc / rw) / (pc / pw):13.1f}x {(re_ / rw) / (pe / pw):13.1f}x")
PY
