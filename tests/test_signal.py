"""``ftrans.scipy.signal`` (issue 14 §3): values, dtypes and errors against SciPy over modes,
methods, boundaries, shapes (swapped ``valid`` inputs, kernels larger than the input) and
dtypes, traced and (without SciPy) eager; derivatives in both inputs (and ``fillvalue``) to
second order; the cases of HIPS autograd's ``tests/test_scipy.py`` that use SciPy's signature;
and autograd's convnet layer written with SciPy's API, against autograd's own ``convolve``.
The sample rows (``samples_fft.py``) check every transform and the emulated GPU.
"""

from __future__ import annotations

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
import ftrans.scipy.signal as fss

rng = np.random.default_rng(14)

SHAPES = [((6,), (3,)), ((3,), (6,)), ((5,), (5,)), ((7,), (1,)), ((4, 5), (2, 3)),
          ((3, 3), (5, 4)), ((4, 3, 5), (2, 3, 2))]
DTYPES = [np.float64, np.complex128, np.float32, np.int64]


def _pair(sa, sv, dt, seed=0):
    g = np.random.default_rng(seed)
    a, v = g.standard_normal(sa), g.standard_normal(sv)
    if np.dtype(dt).kind == "c":
        a, v = a + 1j * g.standard_normal(sa), v + 1j * g.standard_normal(sv)
    if np.dtype(dt).kind == "i":
        a, v = np.round(a * 5), np.round(v * 5)
    return a.astype(dt), v.astype(dt)


def _close(got, want, dt):
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype,
                                                                 got.shape, want.shape)
    tol = 1e-4 if np.dtype(dt) in (np.float32, np.complex64) else 1e-10
    if want.dtype.kind == "i":  # exact (fftconvolve of integers gives floats: rounded)
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def _calls(sa, sv):
    calls = []
    for mode in ("full", "same", "valid"):
        for method in ("auto", "direct", "fft"):
            calls += [("convolve", {"mode": mode, "method": method}),
                      ("correlate", {"mode": mode, "method": method})]
        calls.append(("fftconvolve", {"mode": mode}))
        if len(sa) == 2:
            for b in ("fill", "wrap", "symm"):
                calls += [("convolve2d", {"mode": mode, "boundary": b, "fillvalue": 0.5}),
                          ("correlate2d", {"mode": mode, "boundary": b})]
    return calls


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_values_dtypes_and_errors_match_scipy(shapes, dt):
    ss = pytest.importorskip("scipy.signal")
    sa, sv = shapes
    a, v = _pair(sa, sv, dt)
    for name, kw in _calls(sa, sv):
        try:
            want = getattr(ss, name)(a, v, **kw)
        except ValueError as e:  # SciPy's error, the same type here
            with pytest.raises(ValueError, match="valid"):
                ftrans.jit(lambda a, v: getattr(fss, name)(a, v, **kw))(a, v)
            assert "valid" in str(e)
            continue
        got = ftrans.jit(lambda a, v: getattr(fss, name)(a, v, **kw))(a, v)
        _close(got, want, dt)


def test_fftconvolve_axes_broadcast_as_scipy():
    ss = pytest.importorskip("scipy.signal")
    a = rng.standard_normal((3, 4, 5))
    for v_shape, axes in (((3, 2, 5), 1), ((1, 2, 5), [1]), ((3, 4, 2), (2, 0)),
                          ((1, 1, 3), None), ((3, 2, 1), [1, 2]), ((3, 4, 2), -1)):
        v = rng.standard_normal(v_shape)
        for mode in ("full", "same", "valid"):
            want = ss.fftconvolve(a, v, mode=mode, axes=axes)
            got = ftrans.jit(lambda a, v: fss.fftconvolve(a, v, mode, axes))(a, v)
            _close(got, want, np.float64)


def test_without_scipy_the_composition_runs_eagerly(monkeypatch):
    """Plain arrays go to SciPy when it is installed; without it (and on CuPy arrays) the
    same compositions run eagerly: their results are SciPy's."""
    ss = pytest.importorskip("scipy.signal")
    a, v = _pair((4, 5), (2, 3), np.float64)
    wants = {(n, tuple(kw.items())): getattr(ss, n)(a, v, **kw) for n, kw in _calls((4, 5), (2, 3))}
    monkeypatch.setattr(fss, "_scipy_signal", lambda: None)
    for (name, kw), want in wants.items():
        got = getattr(fss, name)(a, v, **dict(kw))
        assert isinstance(got, np.ndarray)
        _close(got, want, np.float64)


def test_known_values_and_exact_integers():
    np.testing.assert_array_equal(ftrans.jit(fss.convolve)(np.array([1, 2, 3]),
                                                           np.array([0, 1, 2])),
                                  [0, 1, 4, 7, 6])
    big = np.array([10 ** 15, 1, 3])  # fft rounding would lose the low digits
    got = ftrans.jit(lambda a: fss.convolve(a, np.array([1, 1])))(big)
    np.testing.assert_array_equal(got, [10 ** 15, 10 ** 15 + 1, 4, 3])
    # correlate conjugates its second input, convolve does not
    z = np.array([1j, 2.0])
    np.testing.assert_allclose(ftrans.jit(lambda a: fss.correlate(a, z))(z),
                               [2j, 5.0, -2j])
    np.testing.assert_allclose(ftrans.jit(lambda a: fss.convolve(a, z))(z),
                               [-1.0, 4j, 4.0])
    assert ftrans.jit(fss.convolve)(np.float64(2.0), np.float64(3.0)) == 6.0
    assert ftrans.jit(fss.correlate)(np.complex128(2j), np.complex128(1j)) == 2.0
    assert ftrans.jit(fss.fftconvolve)(np.ones(3), np.ones(0)).shape == (0,)


def test_errors():
    a, v = np.ones((3, 3)), np.ones((2, 2))
    cases = [
        (ValueError, "same dimensionality", lambda a, v: fss.convolve(a, v[0])),
        (ValueError, "same dimensionality", lambda a, v: fss.fftconvolve(a, v[0])),
        (ValueError, "acceptable mode flags", lambda a, v: fss.convolve(a, v, "foo")),
        (ValueError, "acceptable mode flags", lambda a, v: fss.correlate(a, v, 1)),
        (ValueError, "acceptable method flags", lambda a, v: fss.convolve(a, v, "full", "x")),
        (ValueError, "at least as large as the other in every dimension",
         lambda a, v: fss.convolve(a[:2], v[:1] @ np.ones((2, 4)), "valid")),
        (ValueError, "cannot be empty", lambda a, v: fss.convolve(a[:0], v)),
        (ValueError, "axes cannot be empty", lambda a, v: fss.fftconvolve(a, v, axes=[])),
        (ValueError, "axes must be unique", lambda a, v: fss.fftconvolve(a, v, axes=[0, 0])),
        (IndexError, "axis 2 is out of bounds", lambda a, v: fss.fftconvolve(a, v, axes=2)),
        (ValueError, "incompatible shapes", lambda a, v: fss.fftconvolve(a, v, axes=1)),
        (ValueError, "2-D arrays", lambda a, v: fss.convolve2d(a[0], v[0])),
        (ValueError, "acceptable boundary flags", lambda a, v: fss.convolve2d(a, v,
                                                                              boundary="x")),
        (ValueError, "fillvalue must be a scalar",
         lambda a, v: fss.convolve2d(a, v, fillvalue=[1.0, 2.0])),
        (ValueError, "could not cast fillvalue",
         lambda a, v: fss.correlate2d(a, v, fillvalue=1j)),
    ]
    for exc, match, fn in cases:
        with pytest.raises(exc, match=match):
            ftrans.jit(fn)(a, v)


# ----------------------------------------------------------------------------- derivatives

@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("shapes", [((6,), (3,)), ((3,), (5,)), ((4, 5), (2, 3)),
                                    ((3, 3), (5, 4))], ids=str)
def test_derivatives_in_both_inputs(shapes, cplx):
    a, v = _pair(*shapes, np.complex128 if cplx else np.float64, seed=3)
    for name, kw in _calls(*shapes):
        if kw.get("mode") == "valid" and not (all(x >= y for x, y in zip(*shapes))
                                             or all(x <= y for x, y in zip(*shapes))):
            continue
        ftrans.check_grads(lambda a, v: getattr(fss, name)(a, v, **kw), (a, v), order=2)


def test_derivative_in_fillvalue():
    a, v = rng.standard_normal((3, 4)), rng.standard_normal((2, 2))

    def f(fill):
        return fnp.sum(fss.convolve2d(a, v, "full", "fill", fill))

    # each kernel entry meets every cell of a once over the 4 x 5 full outputs, and the
    # padding (value fill) in the other 20 - 12 windows: d/dfill = 8 Σv
    g = ftrans.grad(f)(0.25)
    assert g == pytest.approx(8 * np.sum(v))
    ftrans.check_grads(f, (0.25,), order=2)


def test_gradient_is_the_correlation_with_the_kernel():
    """d/da Σ ct · convolve(a, v, 'full') = correlate(ct, v, 'valid')."""
    a, v = rng.standard_normal(7), rng.standard_normal(3)
    ct = rng.standard_normal(9)
    for method in ("direct", "fft"):
        g = ftrans.grad(lambda a: fnp.sum(ct * fss.convolve(a, v, "full", method)))(a)
        np.testing.assert_allclose(g, np.correlate(ct, v, "valid"), rtol=1e-12)


# ----------------------------------------------------------------------------- autograd

def test_the_signal_cases_of_autograds_test_scipy():
    """autograd's test_convolve and test_convolve_2d (its convolve with SciPy's signature):
    every pair of shapes and mode, both inputs, checked to second order in both modes."""
    r = np.random.default_rng(1).standard_normal
    one_d = ([r(4), r(5), r(6)], [r(2), r(3), r(4)])
    two_d = ([r((4, 3)), r((5, 4)), r((6, 7))], [r((2, 2)), r((3, 2)), r((4, 2)), r((4, 1))])
    for ins1, ins2 in (one_d, two_d):
        for a in ins1:
            for v in ins2:
                for mode in ("full", "valid", "same"):
                    ftrans.check_grads(lambda a, v: fss.convolve(a, v, mode), (a, v), order=2)


def _conv_layer(inputs, params):
    """autograd's convnet conv layer, [data, color_in, y, x] * [color_in, color_out, ky, kx]
    -> [data, color_out, y', x'], written with SciPy's API: a 'valid' convolution over the
    image axes, broadcast over data and colours, summed over the input colours."""
    out = fss.fftconvolve(inputs[:, :, None], params[None], mode="valid", axes=(3, 4))
    return fnp.sum(out, axis=1)


def test_autograds_convnet_layer():
    inputs = rng.standard_normal((5, 2, 12, 12))
    params = rng.standard_normal((2, 3, 5, 5)) * 0.1
    out = ftrans.jit(_conv_layer)(inputs, params)
    assert out.shape == (5, 3, 8, 8)
    loop = np.array([[sum(np.asarray(fss.convolve(inputs[n, c], params[c, o], "valid"))
                          for c in range(2)) for o in range(3)] for n in range(5)])
    np.testing.assert_allclose(out, loop, rtol=1e-10, atol=1e-12)

    def loss(params, inputs):
        return fnp.sum(fnp.tanh(_conv_layer(inputs, params)) ** 2)

    ftrans.check_grads(loss, (params, inputs[:2]), order=1)
    ag = pytest.importorskip("autograd")
    agn = pytest.importorskip("autograd.numpy")
    ag_signal = pytest.importorskip("autograd.scipy.signal")

    def ag_loss(params, inputs):
        conv = ag_signal.convolve(inputs, params, axes=([2, 3], [2, 3]), dot_axes=([1], [0]),
                                  mode="valid")
        return agn.sum(agn.tanh(conv) ** 2)

    np.testing.assert_allclose(out, ag_signal.convolve(inputs, params, axes=([2, 3], [2, 3]),
                                                       dot_axes=([1], [0]), mode="valid"),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ftrans.jit(ftrans.grad(loss))(params, inputs),
                               ag.grad(ag_loss)(params, inputs), rtol=1e-9, atol=1e-12)
