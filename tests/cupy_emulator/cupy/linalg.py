"""``cupy.linalg`` of the emulator: NumPy's functions that CuPy has, on CuPy arrays."""

import numpy

from . import _API, _functions_of, _unwrap, _wrap

__getattr__ = _functions_of(numpy.linalg, _API["cupy.linalg"], "cupy.linalg")


def _unchecked(name, a, *rest):
    """``numpy.linalg.<name>`` matrix by matrix, as cuSOLVER computes it: CuPy does not
    check cuSOLVER's ``devInfo`` unless ``cupyx.errstate(linalg='raise')`` (its default is
    'ignore', cupy/linalg/_util.py), so a singular (or not positive definite) matrix gives
    non-finite values for that matrix instead of NumPy's ``LinAlgError`` for the call."""
    fn = getattr(numpy.linalg, name)
    a_h = _unwrap(a, f"linalg.{name}")
    rest_h = [_unwrap(r, f"linalg.{name}") for r in rest]
    with numpy.errstate(all="ignore"):
        try:
            return _wrap(fn(a_h, *rest_h))
        except numpy.linalg.LinAlgError:
            pass
        batch = a_h.shape[:-2]
        results = {}
        for i in numpy.ndindex(*batch):
            try:
                results[i] = fn(a_h[i], *[x[i] if x.ndim > 1 else x for x in rest_h])
            except numpy.linalg.LinAlgError:
                results[i] = None
        good = [r for r in results.values() if r is not None]
        ref = rest_h[0] if rest_h else a_h  # each matrix's result: b's shape, or a's
        shape = numpy.shape(good[0]) if good else ref.shape[-min(ref.ndim, 2):]
        out = numpy.full(batch + shape, numpy.nan,
                         numpy.result_type(*good) if good else numpy.result_type(a_h, 1.0))
        for i, r in results.items():
            if r is not None:
                out[i] = r
        return _wrap(out)


def solve(a, b):
    """CuPy's rule (cupy/linalg/_solve.py): a matrix ``b`` must have ``a``'s batch
    dimensions; NumPy 2 broadcasts them, CuPy does not."""
    if b.ndim == 0:
        raise ValueError("b must have at least one dimension")
    if b.ndim > 1 and a.shape[:-1] != b.shape[:-1]:
        raise ValueError("a must have (..., M, M) shape and b must have (..., M, K) "
                         "for multidimensional b")
    return _unchecked("solve", a, b)


def inv(a):
    return _unchecked("inv", a)


def cholesky(a):
    return _unchecked("cholesky", a)


def _geev(a, vectors):
    """CuPy 14's ``_geev`` (cupy/linalg/_eigenvalue.py): cuSOLVER's ``Xgeev``, whose
    results are complex also for a real matrix with real eigenvalues."""
    a_h = _unwrap(a, "linalg.eig" if vectors else "linalg.eigvals")
    cdtype = numpy.result_type(a_h.dtype, numpy.complex64)
    if vectors:
        w, v = numpy.linalg.eig(a_h)
        return _wrap(w.astype(cdtype)), _wrap(v.astype(cdtype))
    return _wrap(numpy.linalg.eigvals(a_h).astype(cdtype))


def eig(a):
    return _geev(a, True)


def eigvals(a):
    return _geev(a, False)
