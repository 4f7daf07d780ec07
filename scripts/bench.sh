#!/usr/bin/env bash
# raftcron's benchmarks (README, "Performance"). Benchmarks report numbers; they are never tests.
#
#   scripts/bench.sh                       the whole comparison, under 15 minutes
#   scripts/bench.sh --quick               the same with short windows, about 3 minutes
#   scripts/bench.sh SCENARIO [OPTIONS]    one scenario: fire, e2e, failover, scale, api
#                                          (scripts/bench.sh fire --help lists its options)
#
# Each scenario prints one JSON line on stdout (also appended to bench/target/results.jsonl) and a
# short summary on stderr, with the machine's load average beside every figure. Extra JVM options
# go in RAFTCRON_BENCH_JAVA_OPTS.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/target/raftcron-bench.jar"
results="$root/bench/target/results.jsonl"
# Three nodes (and, for e2e, the workers) share one JVM; a fixed heap keeps GC work comparable.
java_opts="${RAFTCRON_BENCH_JAVA_OPTS:--Xms1g -Xmx2g}"

build() {
  if [[ ! -f "$jar" ]]; then
    echo "bench: building raftcron-bench (mvn -B -q -DskipTests -pl bench -am package)..." >&2
    (cd "$root" && mvn -B -q -DskipTests -pl bench -am package)
  fi
}

# One scenario in its own JVM, its JSON line kept in $results.
scenario() {
  build
  mkdir -p "$(dirname "$results")"
  # shellcheck disable=SC2086 # java_opts holds several words on purpose
  java $java_opts -jar "$jar" "$@" | tee -a "$results"
}

comparison() {
  local quick="$1"
  echo "bench: $(nproc) cores, $(awk '{print "load average " $1 ", " $2 ", " $3}' /proc/loadavg); $(uname -sr)" >&2
  if [[ "$quick" == true ]]; then
    scenario fire --jobs 2000 --duration 10 --warmup 3
    scenario e2e --jobs 500 --duration 10 --warmup 3
    scenario failover --jobs 1000 --duration 9 --warmup 3
    scenario api --requests 1000
    scenario scale --jobs 20000
  else
    scenario fire --jobs 10000 --duration 30 --warmup 10
    scenario e2e --jobs 2000 --duration 30 --warmup 10
    scenario failover --jobs 5000 --duration 30 --warmup 10
    scenario api --requests 5000
    scenario scale --jobs 200000
  fi
}

case "${1:-}" in
  "" ) comparison false ;;
  --quick) comparison true ;;
  -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  fire | e2e | failover | scale | api) scenario "$@" ;;
  *) echo "bench: unknown argument '$1' (scripts/bench.sh --help)" >&2; exit 2 ;;
esac
