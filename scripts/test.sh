#!/usr/bin/env bash
# Installs missing build tools, then builds and runs every test: scripts/test.sh [extra mvn args].
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
cd "$root"
# The chaos suite (chaos-tests/) runs Testcontainers against the local engine: no image can be
# pulled here, so no Ryuk (each test removes its own containers) and no start-up checks.
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_CHECKS_DISABLE=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
mvn -B verify "$@"
