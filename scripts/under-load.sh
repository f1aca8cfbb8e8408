#!/usr/bin/env bash
# Runs a command beside CPU hogs, as on a busy shared CI machine, where work runs 3–5× slower:
# a test that depends on the machine's speed fails here. Three hogs by default (LOAD=N to change).
#
#   scripts/under-load.sh npx jest __tests__/local __tests__/cli
set -euo pipefail
hogs=()
trap 'kill "${hogs[@]}" 2>/dev/null || true' EXIT
for _ in $(seq "${LOAD:-3}"); do
  sh -c 'while :; do :; done' &
  hogs+=($!)
done
"$@"
