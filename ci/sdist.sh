#!/usr/bin/env bash
# The source distribution is complete: build it, unpack it in a temporary folder, install it
# into the CI virtual environment and run a subset of its own tests from the unpacked tree
# (they need conftest.py, the sample tables, the CUDA harness, the CuPy emulator, README.md,
# docs/ and examples/, so a file missing from the sdist fails here). About 30 s.
#
#   bash ci/sdist.sh        (ci/test.sh runs it last)
#
# Uses the virtual environment $FTRANS_VENV (default .venv-ci), made here if missing; the
# ftrans installed there afterwards is the one built from the sdist.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FTRANS_VENV:-.venv-ci}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$(cd "$VENV" && pwd)/bin/python"
"$PY" -m pip install -q build
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ftrans-sdist.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "== sdist: build, unpack in $WORK, install, test from the unpacked tree"
# build from a copy (the files git tracks or would track), so this checkout gets no egg-info
mkdir "$WORK/checkout"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - \
    | tar -xf - -C "$WORK/checkout"
else
  tar --exclude='.venv*' --exclude=build --exclude=dist --exclude='*.egg-info' -cf - . \
    | tar -xf - -C "$WORK/checkout"
fi
"$PY" -m build --sdist --outdir "$WORK/dist" "$WORK/checkout" > "$WORK/build.log" 2>&1 \
  || { tail -n 40 "$WORK/build.log"; exit 1; }
SDIST="$(ls "$WORK"/dist/ftrans-*.tar.gz)"
tar -xzf "$SDIST" -C "$WORK"
SRC="$(ls -d "$WORK"/ftrans-*/)"
"$PY" -m pip install -q --force-reinstall --no-deps "$SDIST"
"$PY" -m pip install -q "$SDIST[test]"

cd "$SRC/tests"
# the tests import the installed package, not the unpacked ftrans/ folder
"$PY" - <<'PYEOF'
import os, ftrans
from ftrans.backends.cuda_codegen import kernels_dir
assert "site-packages" in ftrans.__file__, ftrans.__file__
assert os.path.exists(os.path.join(kernels_dir(), "ft_math.cuh")), kernels_dir()
assert os.path.exists(os.path.join(os.path.dirname(ftrans.__file__), "py.typed"))  # typed
print("   installed", ftrans.__version__, "from the sdist:", os.path.dirname(ftrans.__file__))
PYEOF
# README, docs/ and doctests; the tutorial's tables and drawings; the sample tables (conftest,
# samples*.py); generated CUDA from the packaged kernels (nvcc, g++ through cuda_harness.py);
# the CuPy emulator
"$PY" -m pytest -p no:cacheprovider test_docs.py test_explain.py \
  test_primitives.py::test_jvp_matches_finite_differences \
  test_primitives.py::test_vjp_dot_product_identity test_cuda_codegen.py \
  --deselect "test_cuda_codegen.py::test_host_build_matches_numpy[samples]" \
  --deselect test_cuda_codegen.py::test_every_generated_kernel_compiles_for_sm90 \
  --deselect test_cuda_codegen.py::test_every_generated_kernel_compiles_with_nvrtc \
  --deselect test_cuda_codegen.py::test_special_functions_match_numpy_on_a_grid
PYTHONPATH=cupy_emulator "$PY" -m pytest -p no:cacheprovider -m gpu test_cupy_emulator.py \
  -k "kernels_run_every_thread or block_reduction"
