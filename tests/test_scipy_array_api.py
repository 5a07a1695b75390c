"""SciPy's array-API dispatch on traced values (issue 14 §4): with ``SCIPY_ARRAY_API=1``,
SciPy asks a traced array for its namespace (``ftrans.numpy``) and computes with it, so
``ftrans.grad(scipy.optimize.rosen)`` equals ``scipy.optimize.rosen_der`` and
``scipy.special.logsumexp`` (which assigns into arrays it made, through
``array_api_extra.at``) runs under grad, jit and vmap.

SciPy reads ``SCIPY_ARRAY_API`` once, when it is first imported, so each check runs in a
fresh interpreter with the variable set."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("scipy")

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _run(code: str) -> str:
    env = dict(os.environ, SCIPY_ARRAY_API="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    res = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, env=env, timeout=300)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr[-4000:]}"
    return res.stdout


def test_grad_of_rosen_is_rosen_der():
    out = _run("""
        import numpy as np, scipy.optimize, ftrans
        rng = np.random.default_rng(0)
        for n in (2, 5, 9):
            x = rng.standard_normal(n)
            g = ftrans.grad(scipy.optimize.rosen)(x)
            np.testing.assert_allclose(g, scipy.optimize.rosen_der(x), rtol=1e-12, atol=1e-12)
            h = ftrans.hessian(scipy.optimize.rosen)(x)
            np.testing.assert_allclose(h, scipy.optimize.rosen_hess(x), rtol=1e-12, atol=1e-9)
        x32 = np.ones(4, np.float32) * 0.5
        assert ftrans.jit(scipy.optimize.rosen)(x32).dtype == np.float32
        print("ok")
    """)
    assert out.strip() == "ok"


def test_logsumexp_on_tracers():
    out = _run("""
        import numpy as np, scipy.special, ftrans, ftrans.numpy as fnp
        from scipy.special import logsumexp
        rng = np.random.default_rng(1)
        x = rng.standard_normal((3, 5))
        want = np.log(np.sum(np.exp(x), axis=1))
        np.testing.assert_allclose(ftrans.jit(lambda v: logsumexp(v, axis=1))(x), want)
        np.testing.assert_allclose(ftrans.vmap(logsumexp)(x), want)
        softmax = np.exp(x[0] - logsumexp(x[0]))
        np.testing.assert_allclose(ftrans.grad(logsumexp)(x[0]), softmax, rtol=1e-12)
        np.testing.assert_allclose(ftrans.jit(ftrans.grad(logsumexp))(x[0]), softmax,
                                   rtol=1e-12)
        # with weights b (traced too: SciPy refuses NumPy arrays mixed with another namespace)
        b = np.array([1.0, 0.3, 2.0, 0.5, 1.0])
        gx, gb = ftrans.grad(lambda v, w: logsumexp(v, b=w), argnums=(0, 1))(x[0], b)
        s = np.sum(b * np.exp(x[0]))
        np.testing.assert_allclose(gx, b * np.exp(x[0]) / s, rtol=1e-12)
        np.testing.assert_allclose(gb, np.exp(x[0]) / s, rtol=1e-12)
        # a maximum that occurs twice, and an infinite entry
        y = np.array([1.0, 3.0, 3.0, -np.inf])
        np.testing.assert_allclose(ftrans.grad(logsumexp)(y), np.exp(y - logsumexp(y)))
        print("ok")
    """)
    assert out.strip() == "ok"
