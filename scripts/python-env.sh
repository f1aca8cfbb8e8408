#!/usr/bin/env bash
# Creates or updates the project's Python environment (.venv) from requirements-dev.txt, the
# lock that scripts/lock-python.sh compiles from requirements-dev.in: every package pinned with
# its hashes, installed with --require-hashes. A stamp holds the hash of the lock and the
# interpreter, so a warm run installs nothing.
# CLICKLOGGER_PYTHON names the interpreter (default: python3); CLICKLOGGER_PYTHON_ENV the
# environment's folder (default: .venv in the repository).
#
#   scripts/python-env.sh                      build or update the environment
#   scripts/python-env.sh python -m pytest …   then run one of its commands
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${CLICKLOGGER_PYTHON_ENV:-.venv}"
REQUIREMENTS=requirements-dev.txt
STAMP="$VENV/.requirements.sha256"
PYTHON="${CLICKLOGGER_PYTHON:-python3}"

command -v "$PYTHON" >/dev/null || { echo "python-env: $PYTHON not found; install Python 3.11 or newer" >&2; exit 1; }
# The lock is compiled for Python 3.11; older versions need backports it does not hold.
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "python-env: $("$PYTHON" --version 2>&1) is too old; Python 3.11 or newer is needed" >&2; exit 1; }

wanted="$("$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read() + sys.version.encode()).hexdigest())' "$REQUIREMENTS")"
run_or_exit() {
  if (($#)); then exec "$VENV/bin/$1" "${@:2}"; fi
  exit 0
}
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]]; then
  run_or_exit "$@"
fi

echo "python-env: building the project's Python environment in $VENV from $REQUIREMENTS (once; a few minutes)" >&2
rm -f "$STAMP"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --no-deps -r "$REQUIREMENTS"
echo "$wanted" >"$STAMP"
echo "python-env: ready ($("$VENV/bin/python" --version), $(grep -cE '^[a-z]' "$REQUIREMENTS") locked packages)" >&2
run_or_exit "$@"
