#!/usr/bin/env bash
# Compiles requirements-dev.in (the packages we ask for) into requirements-dev.txt (every package
# the environment holds, each pinned with its hashes). Run it after changing requirements-dev.in,
# or to take newer releases of the packages pinned only through others; commit both files.
# It uses pip-tools from a throwaway environment and reads PyPI itself, never a local mirror,
# so the hashes are PyPI's.
set -euo pipefail
cd "$(dirname "$0")/.."

PIP_TOOLS=pip-tools==7.6.2
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
"${CLICKLOGGER_PYTHON:-python3}" -m venv "$tools"
PIP_CONFIG_FILE=/dev/null "$tools/bin/pip" install --quiet --disable-pip-version-check "$PIP_TOOLS"
env PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= PIP_EXTRA_INDEX_URL= PIP_CONSTRAINT= \
  CUSTOM_COMPILE_COMMAND=scripts/lock-python.sh \
  "$tools/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
  --index-url https://pypi.org/simple --no-emit-index-url --no-emit-find-links \
  --output-file requirements-dev.txt requirements-dev.in
