#!/usr/bin/env bash
# Installs missing build tools, then builds and runs every test: scripts/test.sh [extra mvn args].
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
cd "$root"
# shellcheck source=scripts/testcontainers-env.sh
source "$root/scripts/testcontainers-env.sh"
mvn -B verify "$@"
