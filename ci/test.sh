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
# The documentation twice more under other BLAS and SIMD kernels: OpenBLAS's Haswell
# kernels, then its generic x86-64 ones (Prescott) with NumPy's runtime-dispatched SIMD loops
# (its exp, log, power...) switched off. No printed example may depend on the last bits of a
# BLAS or libm result (np.cov's last bit differs between the default and Haswell kernels on
# an AVX-512 machine, a matrix product's between the default and Prescott ones).
NO_SIMD="$("$PY" -c 'import numpy as np
d = (getattr(np, "_core", None) or np.core)._multiarray_umath
print(" ".join(f for f in d.__cpu_dispatch__ if d.__cpu_features__.get(f)))' || true)"
for ALT in "Haswell|" "Prescott|$NO_SIMD"; do
  echo "== doctests and documentation with OPENBLAS_CORETYPE=${ALT%%|*}" \
    "NPY_DISABLE_CPU_FEATURES='${ALT#*|}'"
  OPENBLAS_CORETYPE="${ALT%%|*}" NPY_DISABLE_CPU_FEATURES="${ALT#*|}" \
    "$PY" -m pytest -p no:cacheprovider test_docs.py
done
# The GPU tests once more, on the emulated CuPy device (tests/cupy_emulator: CuPy's strict
# array semantics, generated kernels run thread by thread on the CPU). This is not a GPU
# run: `bash ci/gpu.sh` on a CUDA machine is.
echo "== GPU tests on the emulated CuPy device"
PYTHONPATH=cupy_emulator "$PY" -m pytest -p no:cacheprovider -m gpu \
  test_gpu.py test_cupy_emulator.py test_ownership.py test_cupy_backend.py \
  test_private_files.py test_device.py test_distributed.py
# The sdist carries what its tests need: built, unpacked elsewhere, installed, and a subset of
# its tests run from the unpacked tree (ci/sdist.sh).
cd ..
bash ci/sdist.sh
# The documentation site (ci/docs.sh): Sphinx with warnings as errors, every guide's examples
# run during the build. In CI's virtual environment, which has NumPy and SciPy already: only
# Sphinx and MyST are added: about 75 s on a shared 2-core machine (`bash ci/docs.sh` alone
# makes .venv-docs).
FTRANS_DOCS_VENV="$VENV" bash ci/docs.sh
