# Sourced by test.sh and chaos.sh. The chaos suite (chaos-tests/) runs Testcontainers against the
# local engine: no image can be pulled here, so no Ryuk (each test removes its own containers) and
# no start-up checks.
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_CHECKS_DISABLE=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
