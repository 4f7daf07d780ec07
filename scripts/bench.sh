#!/usr/bin/env bash
# raftcron's benchmarks (README, "Performance"). Benchmarks report numbers; they are never tests.
#
#   scripts/bench.sh                       the whole comparison, under 15 minutes
#   scripts/bench.sh --quick               the same with short windows, a few minutes
#   scripts/bench.sh SCENARIO [OPTIONS]    one scenario: fire, e2e, failover, scale, api
#                                          (scripts/bench.sh fire --help lists its options)
#   scripts/bench.sh peers [--quick]       only raftcron's fire beside Quartz and db-scheduler
#   scripts/bench.sh jmh [JMH OPTIONS]     JMH micro-benchmarks of the applier and the schedule maths
#                                          (default: one fork, 2 warm-up and 3 measured iterations)
#
# The comparison runs Quartz 2.5 (clustered JDBC) and db-scheduler, two JVMs each, on a PostgreSQL
# that this script installs from Debian's packages if absent, starts on loopback in a temporary
# folder and removes again. The table at the end puts raftcron's figures beside theirs.
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
# HotSpot suspends threads with SIGUSR2 (JFR's sampler), but jraft takes SIGUSR2 over to dump node state into the
# working directory: under JFR, hundreds of node_describe.log.* files a second and no CPU samples. Another signal:
export _JAVA_SR_SIGNUM="${_JAVA_SR_SIGNUM:-40}"

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

pg_dir=""
pg_port=""
pg_bin=""

# A throwaway PostgreSQL on 127.0.0.1 (fsync and synchronous commit on, as raftcron's log is).
start_postgres() {
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    echo "bench: installing PostgreSQL (apt-get install postgresql)..." >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  pg_dir="$(mktemp -d -t raftcron-bench-pg.XXXXXX)"
  pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  local as=()
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$pg_dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U bench --auth=trust -E UTF8 >"$pg_dir/initdb.log"
  "${as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$pg_dir -c max_connections=200" \
    start >/dev/null
  "${as[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U bench bench
  echo "bench: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port" >&2
}

stop_postgres() {
  if [[ -n "$pg_dir" ]]; then
    local as=()
    [[ "$(id -u)" == 0 ]] && as=(runuser -u postgres --)
    "${as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=""
  fi
}

# raftcron's fire scenario, then each peer, with the same jobs and window, then the table.
peers() {
  local jobs="$1" duration="$2" warmup="$3"
  start_postgres
  trap stop_postgres EXIT INT TERM
  local pg_pid
  pg_pid="$(head -1 "$pg_dir/data/postmaster.pid")"
  scenario fire --jobs "$jobs" --duration "$duration" --warmup "$warmup"
  for peer in quartz db-scheduler; do
    scenario peer "$peer" --jobs "$jobs" --duration "$duration" --warmup "$warmup" \
      --jdbc-url "jdbc:postgresql://127.0.0.1:$pg_port/bench" --postgres-pid "$pg_pid"
  done
  stop_postgres
  trap - EXIT INT TERM
  echo
  # shellcheck disable=SC2086
  java $java_opts -jar "$jar" compare "$results"
}

comparison() {
  local quick="$1"
  echo "bench: $(nproc) cores, $(awk '{print "load average " $1 ", " $2 ", " $3}' /proc/loadavg); $(uname -sr)" >&2
  if [[ "$quick" == true ]]; then
    peers 200 10 5
    scenario fire --jobs 2000 --duration 10 --warmup 3
    scenario fire --processes --jobs 2000 --duration 10 --warmup 3
    scenario e2e --jobs 500 --duration 10 --warmup 3
    scenario failover --jobs 1000 --duration 9 --warmup 3
    scenario failover --kill --jobs 500 --duration 9 --warmup 5
    scenario api --requests 1000
    scenario scale --jobs 20000
  else
    peers 1000 30 10
    scenario fire --jobs 10000 --duration 30 --warmup 10
    scenario fire --processes --jobs 10000 --duration 30 --warmup 10
    scenario e2e --jobs 2000 --duration 30 --warmup 10
    scenario failover --jobs 5000 --duration 30 --warmup 10
    scenario failover --kill --jobs 2000 --duration 20 --warmup 10
    scenario api --requests 5000
    scenario scale --jobs 200000
  fi
}

case "${1:-}" in
  "" ) comparison false ;;
  --quick) comparison true ;;
  -h | --help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  peers) build; if [[ "${2:-}" == --quick ]]; then peers 200 10 5; else peers 1000 30 10; fi ;;
  fire | e2e | failover | scale | api | peer) scenario "$@" ;;
  compare) build; java -jar "$jar" "$@" ;;
  jmh)
    build
    shift
    if [[ $# -eq 0 ]]; then set -- -f 1 -wi 2 -w 2s -i 3 -r 3s; fi
    java -cp "$jar" org.openjdk.jmh.Main "$@"
    ;;
  *) echo "bench: unknown argument '$1' (scripts/bench.sh --help)" >&2; exit 2 ;;
esac
