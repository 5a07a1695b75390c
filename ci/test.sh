#!/usr/bin/env bash
# The whole test suite in a fresh virtual environment, installed from pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FTRANS_VENV:-.venv-ci}"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install -q ".[test]"
cd tests  # test the installed package, not the source tree
exec "../$VENV/bin/python" -m pytest -p no:cacheprovider "$@" .
