#!/usr/bin/env bash
# The long profile of the chaos suite: N randomized runs, each on a fresh cluster in containers
# (nodes under libfaketime), with a random sequence of nemeses for about S seconds, checked
# against I1-I8.
#
#   scripts/chaos.sh [--runs N] [--duration S] [--seed SEED] [--nodes 3|5] [--no-clock]
#
# --nodes 5 adds bridge and majorities-ring partitions; --no-clock runs the nodes without
# libfaketime and leaves the clock jumps out.
#
# Each run keeps its report folder (history.jsonl, witness/, node and worker logs, checks.txt)
# under chaos-tests/target/chaos/RandomizedChaosIT/<seed>/; the summary table of all runs is
# chaos-tests/target/chaos/RandomizedChaosIT/summary.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3
duration=120
seed=""
clock=true
nodes=3

usage() {
  echo "usage: scripts/chaos.sh [--runs N] [--duration SECONDS] [--seed SEED] [--nodes 3|5] [--no-clock]"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --duration) duration="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --seed) seed="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --no-clock) clock=false; shift ;;
    --nodes) nodes="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    -h | --help) usage; exit 0 ;;
    *) echo "chaos: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$runs" "$duration"; do
  if [[ ! "$n" =~ ^[0-9]+$ || "$n" -eq 0 ]]; then
    echo "chaos: --runs and --duration take positive whole numbers, not '$n'" >&2
    exit 2
  fi
done
if [[ "$nodes" != 3 && "$nodes" != 5 ]]; then
  echo "chaos: --nodes takes 3 or 5, not '$nodes'" >&2
  exit 2
fi
if [[ -n "$seed" && ! "$seed" =~ ^-?[0-9]+$ ]]; then
  echo "chaos: --seed takes a whole number, not '$seed'" >&2
  exit 2
fi

bash "$root/scripts/install-deps.sh"
# shellcheck source=scripts/testcontainers-env.sh
source "$root/scripts/testcontainers-env.sh"

cd "$root"
# The modules the suite needs are built in the same reactor (-am); their unit tests and the cli's
# end-to-end test are not run, only the randomized chaos runs.
set +e
mvn -B verify -pl chaos-tests -am -Pchaos-long -Dchaos.skip=false \
  -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=RandomizedChaosIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dchaos.runs="$runs" -Dchaos.duration="$duration" -Dchaos.clock="$clock" -Dchaos.nodes="$nodes" \
  ${seed:+-Dchaos.seed="$seed"}
status=$?
set -e
summary="chaos-tests/target/chaos/RandomizedChaosIT/summary.md"
if [[ -f "$summary" ]]; then
  echo
  cat "$summary"
fi
exit $status
