#!/usr/bin/env bash
# The documentation site: Sphinx + MyST (docs/conf.py), built in its own virtual environment
# from pyproject.toml's `docs` extra, with warnings as errors (-W), every cross-reference
# resolved (-n) and all problems listed at once (--keep-going). Every python block of every
# guide runs during the build and a text block after one must be its output
# (docs/_ext/run_blocks.py); the docstrings' examples run in tests/test_docs.py.
#
#   bash ci/docs.sh            (ci/test.sh runs it; the site is docs/_build/html/index.html)
#
# Uses the virtual environment $FTRANS_DOCS_VENV (default .venv-docs).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FTRANS_DOCS_VENV:-.venv-docs}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$(cd "$VENV" && pwd)/bin/python"
"$PY" -m pip install -q ".[docs]"
if ! command -v dot >/dev/null; then  # docs/getting_started.md draws the tutorial's graph
  echo "ci/docs.sh: Graphviz's dot is not on PATH (apt-get install graphviz)" >&2
  exit 1
fi
echo "== documentation site: sphinx-build -W -n --keep-going (docs/_build/html)"
rm -rf docs/_build docs/_generated
# from docs/, so the installed ftrans is documented, not this checkout's
(cd docs && "$PY" -m sphinx -b html -W -n --keep-going -q . _build/html)
# The check is not vacuous: a page whose text block is not its python block's output, and one
# whose python block raises, fail a build with the same extension.
CANARY="$(mktemp -d "${TMPDIR:-/tmp}/ftrans-docs-canary.XXXXXX")"
trap 'rm -rf "$CANARY"' EXIT
printf 'import sys\nsys.path.insert(0, %s)\nextensions = ["myst_parser", "run_blocks"]\n' \
  "'$(pwd)/docs/_ext'" > "$CANARY/conf.py"
printf '# Canary\n\n```python\nprint(1 + 1)\n```\n\n```text\n3\n```\n\n```python\n1 / 0\n```\n' \
  > "$CANARY/index.md"
if (cd "$CANARY" && "$PY" -m sphinx -b html -W --keep-going -q . _build) > "$CANARY/log" 2>&1 \
  || ! grep -q "is not its output" "$CANARY/log" || ! grep -q "ZeroDivisionError" "$CANARY/log"
then
  echo "ci/docs.sh: the canary page built, or failed for another reason:" >&2
  cat "$CANARY/log" >&2
  exit 1
fi
echo "== documentation site built: docs/_build/html/index.html"
