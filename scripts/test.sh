#!/usr/bin/env bash
# Installs missing build tools, then builds and runs every test: scripts/test.sh [extra mvn args].
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
cd "$root"
mvn -B verify "$@"
