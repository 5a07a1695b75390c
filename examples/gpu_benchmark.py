"""The GPU benchmark: the tutorial function's gradient over 10^8 elements as one fused
CUDA kernel (bandwidth against the device's peak), an MLP's gradient and a Jacobian, with
JAX and PyTorch on the same GPU when they are installed. Prints a table; --json FILE
writes the records.

Run (on a machine with an NVIDIA GPU and CuPy): python examples/gpu_benchmark.py [--quick]
The same as: python -m ftrans.bench_gpu
"""

import sys

import ftrans
from ftrans.bench_gpu import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except ftrans.BackendUnavailableError as e:
        print(f"gpu_benchmark: {e}", file=sys.stderr)
        sys.exit(2)
