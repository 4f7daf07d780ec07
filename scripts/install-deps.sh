#!/usr/bin/env bash
# Installs what building and testing raftcron needs, only where it is missing. Safe to rerun.
set -euo pipefail

apt_updated=false
apt_install() {
  if [[ "$(id -u)" -ne 0 ]] && ! command -v sudo >/dev/null; then
    echo "install-deps: need root (or sudo) to install $*" >&2
    exit 1
  fi
  local sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  if [[ "$apt_updated" == false ]]; then
    echo "install-deps: apt-get update"
    $sudo apt-get update -qq
    apt_updated=true
  fi
  echo "install-deps: installing $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Installs, in one apt-get call, the package of each COMMAND=PACKAGE whose command is not on the PATH.
install_missing() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    apt_install "${missing[@]}"
  fi
}

java_major() {
  # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

# --- Build: a JDK 17+ and Maven -------------------------------------------------------------
if command -v java >/dev/null && command -v javac >/dev/null && [[ "$(java_major)" -ge 17 ]]; then
  echo "install-deps: java $(java_major) present"
else
  apt_install openjdk-17-jdk-headless
fi

install_missing mvn=maven

# --- Chaos tests: a Docker engine, nftables, libfaketime ---------------------------------------
# The chaos suite (chaos-tests/) runs nodes in containers built locally from the host's /usr, so it
# needs a running engine (Debian's docker.io: dockerd), nft (partitions) and libfaketime.
install_missing dockerd=docker.io nft=nftables
compgen -G "/usr/lib/*/faketime/libfaketime.so.1" >/dev/null || apt_install faketime

# --- Alerting rules: promtool (Debian's prometheus package) runs `promtool test rules` ----------
install_missing promtool=prometheus

if docker info >/dev/null 2>&1; then
  echo "install-deps: docker engine running"
else
  sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  echo "install-deps: starting dockerd (log: /var/log/dockerd.log)"
  # setsid + nohup: the engine outlives this script and the shell that ran it.
  $sudo setsid nohup dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "install-deps: dockerd did not come up within 60 s; tail of /var/log/dockerd.log:" >&2
    tail -n 30 /var/log/dockerd.log >&2 || true
    exit 1
  fi
  echo "install-deps: docker engine running"
fi

# --- UI tests: a headless browser for Selenium -------------------------------------------------
# The web UI test drives Debian's chromium through its chromedriver (no browser download at test time).
install_missing chromium=chromium chromedriver=chromium-driver

echo "install-deps: done"
