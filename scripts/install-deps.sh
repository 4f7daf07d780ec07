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

if command -v mvn >/dev/null; then
  echo "install-deps: maven present"
else
  apt_install maven
fi

# --- Chaos tests (later): Docker, nftables, faketime ------------------------------------------
# Not installed yet; they arrive with the chaos-test suite.

echo "install-deps: done"
