#!/usr/bin/env bash
# Starts a three-node raftcron cluster and one worker on loopback, creates a job that fires every
# 2 seconds, and shows its newest runs every 2 seconds: which node fired each and which worker ran it.
#
#   scripts/demo.sh [--duration SECONDS]     (default: until Ctrl-C)
#
# Raft ports 7001-7003, gRPC ports 8001-8003, HTTP (web UI, JSON API, metrics) 9001-9003. Data and logs live in a temporary folder that is
# removed, with every process started here, when the demo ends.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
raftcron="$root/scripts/raftcron"
peers="127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003"
cluster="127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003"
# Three nodes, a worker and the CLI share the machine: keep the JVMs small.
export RAFTCRON_JAVA_OPTS="${RAFTCRON_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}"

# Client commands are short-lived JVMs: the C1 compiler alone starts them faster.
cli() {
  RAFTCRON_JAVA_OPTS="$RAFTCRON_JAVA_OPTS -XX:TieredStopAtLevel=1" "$raftcron" "$@"
}

usage() {
  echo "usage: scripts/demo.sh [--duration SECONDS]"
}

duration=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --duration=*) duration="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "demo: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if [[ -n "$duration" && ! "$duration" =~ ^[0-9]+$ ]]; then
  echo "demo: --duration takes a whole number of seconds, not '$duration'" >&2
  exit 2
fi

if [[ ! -f "$root/cli/target/raftcron.jar" ]]; then
  echo "demo: building raftcron (mvn -B -q -DskipTests package)..."
  (cd "$root" && mvn -B -q -DskipTests package)
fi

work="$(mktemp -d -t raftcron-demo.XXXXXX)"
pids=()

stop_all() {
  trap - EXIT INT TERM
  echo "demo: stopping ${#pids[@]} processes"
  local pid waited
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    # Give each JVM 15 s to run its shutdown hooks, then stop it hard.
    for ((waited = 0; waited < 150; waited++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "demo: $*" >&2
  for log in "$work"/*.log; do
    echo "---- last lines of $(basename "$log")" >&2
    tail -n 20 "$log" >&2
  done
  exit 1
}

for i in 1 2 3; do
  "$raftcron" server --node-id "n$i" --data-dir "$work/n$i" \
    --raft-addr "127.0.0.1:700$i" --grpc-addr "127.0.0.1:800$i" --http-addr "127.0.0.1:900$i" --peers "$peers" \
    >"$work/n$i.log" 2>&1 &
  pids+=("$!")
done
echo "demo: started nodes n1 n2 n3 (data and logs in $work)"

echo -n "demo: waiting for a leader"
leader=""
for ((attempt = 0; attempt < 60; attempt++)); do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo; fail "a node exited"; }
  done
  status="$(cli cluster status --cluster "$cluster" --timeout 2s --output json 2>/dev/null || true)"
  leader="$(sed -n 's/.*"leaderId": "\([^"]\+\)".*/\1/p' <<<"$status")"
  [[ -n "$leader" ]] && break
  echo -n "."
  sleep 1
done
echo
[[ -n "$leader" ]] || fail "no leader after 60 attempts"
cli cluster status --cluster "$cluster"
echo "demo: web UI at http://127.0.0.1:9001/ (any node: 9001-9003); JSON API at /api/v1, metrics at /metrics"

"$raftcron" worker --cluster "$cluster" --worker-id worker-1 >"$work/worker.log" 2>&1 &
pids+=("$!")
echo "demo: started worker-1"

# The command is single-quoted: $RAFTCRON_RUN_ID is expanded by the worker's shell, per run.
cli job create demo --cron '*/2 * * * * *' --command 'echo "hello from $RAFTCRON_RUN_ID"' \
  --cluster "$cluster" || fail "could not create job demo"

start=$SECONDS
next=$SECONDS
while [[ -z "$duration" ]] || ((SECONDS - start < duration)); do
  # Every 2 s; when a listing took longer than that, the next one follows at once.
  next=$((next + 2))
  if ((next > SECONDS)); then sleep $((next - SECONDS)); else next=$SECONDS; fi
  echo
  echo "== $(date -u +%H:%M:%S) newest runs of job demo (FIRED BY = node that fired it, WORKER = who ran it)"
  cli job runs demo --limit 5 --cluster "$cluster" || true
done
