#!/usr/bin/env bash
# npm test: lint, type check, every jest test (unit and integration), the Spark job's pytest
# tests on local Spark, and the checkov scan. The first failure stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# tsc and tsx would otherwise keep compile caches in the system temp folder.
export NODE_DISABLE_COMPILE_CACHE=1 TSX_DISABLE_CACHE=1
bin=node_modules/.bin

scripts/lint.sh
"$bin/tsc" --noEmit
"$bin/tsc" --noEmit -p tracker
scripts/python-env.sh
"$bin/jest"
# pytest keeps its temporary folders here, not in the system temp folder.
mkdir -p node_modules/.cache
scripts/python-env.sh python -m pytest -q -p no:cacheprovider --basetemp=node_modules/.cache/pytest spark
node --import tsx scripts/security-scan.ts
