r"""The Parameters, Returns and Raises sections of ``ftrans.numpy.fft``'s docstrings: the
fourteen transforms share their arguments, so their sections are written once here and
``attach`` inserts each function's before the Examples of its own docstring (whose summary
and example stay next to the code).

>>> def f(): pass
>>> f.__doc__ = "A summary.\n\n" + ">" * 3 + " 1 + 1\n2\n"
>>> _insert(f, "Returns\n-------\nout : int\n    Two.\n")
>>> f.__doc__.splitlines()[2:9]
['Returns', '-------', 'out : int', '    Two.', '', 'Examples', '--------']
"""

from __future__ import annotations

import inspect
from typing import Any

_ONE = """a : array_like
    The input{inp}.
n : int, optional
    {n}
axis : int, optional
    The axis transformed (default -1).
"""
_MANY = """a : array_like
    The input{inp}.
s : sequence of int, optional
    {n}
axes : sequence of int, optional
    The axes transformed (default {axes}).
"""
_COMMON = """norm : {{'backward', 'ortho', 'forward'}}, optional
    Which direction is scaled by ``1/n`` (default 'backward': the inverse).
out : None
    NumPy's output array; not supported on traced arrays.

Returns
-------
out : ndarray
    {ret}

Raises
------
ValueError
    If ``norm`` is unknown or a length is below 1.
numpy.exceptions.AxisError
    If an axis is out of bounds.
TypeError
    If ``out`` is given with a traced ``a`` (``ftrans.errors.UnsupportedKeywordError``).
"""
_REAL_INPUT = """TypeError
    If ``a`` is complex.
"""
_PAD = "The number of points: ``a`` is cut or zero-padded to it (default its length)."
_LENGTHS = "The lengths along ``axes`` (default ``a``'s)."
_HALF = ": the ``m`` non-negative frequencies"
_OUT_POINTS = "The number of real output points (default ``2 (m - 1)``)."
_DIFF = "; differentiable."

# name: (one axis?, input, n or s, default axes, result, real input?)
_TRANSFORMS = {
    "fft": (True, "", _PAD, "", "The complex transform (complex64 for float32 or complex64 "
            "input, else\n    complex128)" + _DIFF, False),
    "ifft": (True, "", _PAD, "", "The complex inverse transform" + _DIFF, False),
    "fftn": (False, "", _LENGTHS, "all", "The complex transform" + _DIFF, False),
    "ifftn": (False, "", _LENGTHS, "all", "The complex inverse transform" + _DIFF, False),
    "fft2": (False, "", _LENGTHS, "(-2, -1)", "The complex transform" + _DIFF, False),
    "ifft2": (False, "", _LENGTHS, "(-2, -1)", "The complex inverse transform" + _DIFF,
              False),
    "rfft": (True, ", real", "The number of input points used (default ``a``'s length).", "",
             "The ``n // 2 + 1`` complex coefficients" + _DIFF, True),
    "irfft": (True, _HALF, _OUT_POINTS, "", "The real signal (float32 for single precision "
              "input, else float64)" + _DIFF, False),
    "rfftn": (False, ", real", "The lengths of the input along ``axes``.", "all",
              "The complex transform, the last axis ``s[-1] // 2 + 1`` long" + _DIFF, True),
    "irfftn": (False, ": half a spectrum along the last axis", "The lengths of the real "
               "output along ``axes`` (the last by default\n    ``2 (m - 1)``).", "all",
               "The real signal" + _DIFF, False),
    "rfft2": (False, ", real", "The lengths of the input along ``axes``.", "(-2, -1)",
              "The complex transform, the last axis ``s[-1] // 2 + 1`` long" + _DIFF, True),
    "irfft2": (False, ": half a spectrum along the last axis",
               "The lengths of the real output along ``axes``.", "(-2, -1)",
               "The real signal" + _DIFF, False),
    "hfft": (True, ": the first half of a Hermitian-symmetric signal", _OUT_POINTS, "",
             "The real transform" + _DIFF, False),
    "ihfft": (True, ", real", "The number of input points used (default ``a``'s length).", "",
              "The ``n // 2 + 1`` complex values" + _DIFF, True),
}

_SHIFT = """Parameters
----------
x : array_like
    The {what}.
axes : int or sequence of int, optional
    The axes shifted (default all).

Returns
-------
out : ndarray
    {ret}; differentiable.
"""
_FREQ = """Parameters
----------
n : int
    The number of points.
d : float or traced scalar, optional
    The sample spacing (default 1.0).
device : None
    NumPy's keyword, passed on for a plain ``d``.
dtype : data-type, optional
    The result's dtype (JAX's and the array API's keyword; NumPy has none).

Returns
-------
f : ndarray
    The {count} frequencies; differentiable in ``d``.

Raises
------
ValueError
    If ``n`` is not an integer (with a traced ``d``).
"""


def sections(name: str) -> str:
    """The sections of ``ftrans.numpy.fft.<name>``'s docstring.

    >>> sections("fftfreq").splitlines()[3]
    '    The number of points.'
    """
    if name in ("fftshift", "ifftshift"):
        return _SHIFT.format(what="spectrum" if name == "fftshift" else "shifted spectrum",
                             ret="``x`` rolled by half its length along each axis"
                             if name == "fftshift" else "``x`` rolled back")
    if name in ("fftfreq", "rfftfreq"):
        return _FREQ.format(count="``n``" if name == "fftfreq" else "``n // 2 + 1``")
    one, inp, n, axes, ret, real = _TRANSFORMS[name]
    text = "Parameters\n----------\n" + (_ONE if one else _MANY).format(inp=inp, n=n, axes=axes)
    text += _COMMON.format(ret=ret)
    return text + (_REAL_INPUT if real else "")


def _insert(fn: Any, text: str) -> None:
    """Put ``text`` (NumPy-style sections) into ``fn``'s docstring before its first
    example, under an Examples heading."""
    lines = inspect.cleandoc(fn.__doc__).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(">>>"))
    head = "\n".join(lines[:at]).rstrip("\n")
    fn.__doc__ = (head + "\n\n" + text.rstrip("\n") + "\n\nExamples\n--------\n"
                  + "\n".join(lines[at:]) + "\n")


def attach(namespace: dict[str, Any], names: list[str]) -> None:
    """Insert the sections into the docstrings of the functions ``names`` of ``namespace``.

    >>> import ftrans.numpy as fnp
    >>> "Parameters" in fnp.fft.rfft.__doc__
    True
    """
    for name in names:
        _insert(namespace[name], sections(name))
