#!/usr/bin/env bash
# The GPU checks in one command, on a machine with an NVIDIA GPU: the GPU tests (marked
# `gpu`), the CUDA code-generation tests, and the GPU benchmark (table + JSON).
#
#   bash ci/gpu.sh [--quick]
#
# Uses FTRANS_PYTHON (default python3). CuPy is installed when missing (cupy-cuda12x or
# cupy-cuda13x, by the CUDA version nvidia-smi reports); JAX and PyTorch join the
# benchmark when already installed. The benchmark's JSON goes to $OUT (when set) or the
# repository root, as gpu_benchmark.json.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${FTRANS_PYTHON:-python3}"
QUICK=""
[ "${1:-}" = "--quick" ] && QUICK="--quick"

if ! nvidia-smi; then
  echo "ci/gpu.sh: nvidia-smi failed: no NVIDIA driver or GPU here" >&2
  exit 2
fi
CUDA_MAJOR="$(nvidia-smi | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\)\..*/\1/p' | head -n1)"
if ! "$PY" -c "import cupy" 2>/dev/null; then
  PKG=cupy-cuda12x
  [ "${CUDA_MAJOR:-12}" -ge 13 ] && PKG=cupy-cuda13x
  echo "ci/gpu.sh: installing $PKG (driver CUDA ${CUDA_MAJOR:-?})"
  "$PY" -m pip install -q "$PKG" || { echo "ci/gpu.sh: could not install $PKG" >&2; exit 2; }
fi
"$PY" -c "import pytest" 2>/dev/null || "$PY" -m pip install -q pytest \
  || { echo "ci/gpu.sh: could not install pytest" >&2; exit 2; }

# ftrans from this checkout (its CUDA sources are package data, in ftrans/kernels/)
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
"$PY" - <<'PYEOF'
import cupy
props = cupy.cuda.runtime.getDeviceProperties(0)
print("CuPy", cupy.__version__, "on", props["name"].decode(), "| CUDA runtime",
      cupy.cuda.runtime.runtimeGetVersion())
PYEOF

status=0
# The GPU tests in SHARDS processes at once (FTRANS_TEST_SHARD, tests/conftest.py): their
# time is mostly kernel compilation, which is CPU-bound.
SHARDS="${FTRANS_GPU_SHARDS:-$(( $(nproc) < 8 ? $(nproc) : 8 ))}"
LOGS="${OUT:-.}/gpu_test_logs"
mkdir -p "$LOGS"
echo "== GPU tests (NumPy vs CuPy parity, fused kernels) in $SHARDS processes; logs in $LOGS"
start=$SECONDS
pids=()
for ((i = 0; i < SHARDS; i++)); do
  (cd tests && FTRANS_TEST_SHARD="$i/$SHARDS" "$PY" -m pytest -p no:cacheprovider -rfEs \
    -m gpu test_gpu.py > "$LOGS/shard$i.log" 2>&1) &
  pids+=($!)
done
for ((i = 0; i < SHARDS; i++)); do
  if ! wait "${pids[$i]}"; then status=1; echo "-- shard $i failed:"; tail -n 60 "$LOGS/shard$i.log"; fi
  grep -E "^[0-9]+ (passed|failed)|passed|failed|skipped" "$LOGS/shard$i.log" | tail -n 1
done
echo "   GPU tests took $((SECONDS - start)) s"
echo "== code generation tests (nvcc, NVRTC, host build)"
(cd tests && "$PY" -m pytest -q -p no:cacheprovider -rs test_cuda_codegen.py \
  test_cupy_backend.py test_device.py) || status=1
echo "== Dask workers on the GPU (tests/test_distributed.py, marked gpu)"
"$PY" -c "import distributed" 2>/dev/null || "$PY" -m pip install -q "dask[distributed]" \
  || echo "ci/gpu.sh: could not install dask[distributed]; its GPU test will skip" >&2
(cd tests && "$PY" -m pytest -q -p no:cacheprovider -rs -m gpu test_distributed.py) || status=1
echo "== GPU benchmark"
start=$SECONDS
"$PY" examples/gpu_benchmark.py $QUICK --json "${OUT:-.}/gpu_benchmark.json" || status=1
echo "   benchmark took $((SECONDS - start)) s"
exit $status
