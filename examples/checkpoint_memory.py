"""Peak memory of ``grad`` through a 100-layer chain, with and without ``ftrans.checkpoint``
on each layer (tracemalloc; NumPy arrays are tracked by it), and the residual bytes each
keeps for the backward pass.

Run: python examples/checkpoint_memory.py [width]
"""

import sys
import tracemalloc

import numpy as np

import ftrans
import ftrans.numpy as fnp

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
LAYERS = 100


def layer(x, w):
    return fnp.tanh(fnp.sin(x * w) * fnp.cos(x) + x)


def chain(x, ws, step):
    for w in ws:
        x = step(x, w)
    return fnp.sum(x * x)


def measure(step):
    x = np.linspace(-1.0, 1.0, N)
    ws = list(np.linspace(0.5, 1.5, LAYERS))
    tracemalloc.start()
    g = ftrans.grad(lambda x: chain(x, ws, step))(x)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    res = sum(b for _, b in ftrans.saved_residuals(lambda x: chain(x, ws, step), x))
    return g, peak, res


if __name__ == "__main__":
    g0, peak0, res0 = measure(layer)
    g1, peak1, res1 = measure(ftrans.checkpoint(layer))
    np.testing.assert_allclose(g1, g0, rtol=1e-12)
    mb = 1 / 2 ** 20
    print(f"{LAYERS} layers of width {N} (float64, {N * 8 * mb:.2f} MiB per activation)")
    print(f"without checkpoint: peak {peak0 * mb:8.1f} MiB, residuals {res0 * mb:8.1f} MiB")
    print(f"with checkpoint:    peak {peak1 * mb:8.1f} MiB, residuals {res1 * mb:8.1f} MiB")
    print(f"same gradient; peak ratio {peak0 / peak1:.2f}x")
