#!/usr/bin/env bash
# The whole test suite in a fresh virtual environment, installed from pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FTRANS_VENV:-.venv-ci}"
python3 -m venv "$VENV"
PY="$(cd "$VENV" && pwd)/bin/python"  # FTRANS_VENV may be relative or absolute
"$PY" -m pip install -q --upgrade pip >/dev/null
"$PY" -m pip install -q ".[test]"
cd tests  # test the installed package, not the source tree
"$PY" -m pytest -p no:cacheprovider "$@" .
# The GPU tests once more, on the emulated CuPy device (tests/cupy_emulator: CuPy's strict
# array semantics, generated kernels run thread by thread on the CPU). This is not a GPU
# run: `bash ci/gpu.sh` on a CUDA machine is.
echo "== GPU tests on the emulated CuPy device"
PYTHONPATH=cupy_emulator "$PY" -m pytest -p no:cacheprovider -m gpu \
  test_gpu.py test_cupy_emulator.py
# The sdist carries what its tests need: built, unpacked elsewhere, installed, and a subset of
# its tests run from the unpacked tree (ci/sdist.sh).
cd ..
bash ci/sdist.sh
