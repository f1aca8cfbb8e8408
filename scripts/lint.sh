#!/usr/bin/env bash
# npm run lint: ESLint with type-aware rules, Prettier's check, and ruff (check and format)
# over the Python. npm run format (--fix) rewrites what the tools can fix instead.
set -euo pipefail
cd "$(dirname "$0")/.."
# ESLint and Prettier would otherwise keep Node 22's compile cache in the system temp folder.
export NODE_DISABLE_COMPILE_CACHE=1
bin=node_modules/.bin
python=(spark rehearsal scripts)

if [[ "${1:-}" == "--fix" ]]; then
  "$bin/prettier" --write --log-level warn .
  "$bin/eslint" --fix .
  scripts/python-env.sh ruff check --fix --quiet "${python[@]}"
  scripts/python-env.sh ruff format --quiet "${python[@]}"
else
  "$bin/eslint" --max-warnings 0 .
  "$bin/prettier" --check --log-level warn .
  scripts/python-env.sh ruff check --quiet "${python[@]}"
  scripts/python-env.sh ruff format --check --quiet "${python[@]}"
fi
