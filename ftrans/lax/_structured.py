"""``ftrans.lax``'s structured functions: reductions over axes, ``fft``, ``map``, ``conv``,
``reduce_window`` and the cumulative scans."""

from __future__ import annotations

from typing import Any, Callable

from ..control.scan import scan
from ..prims import windowed as _windowed
from ..prims.conv import conv_general_dilated
from ..prims.reduce import reduce_max_p as _reduce_max_p
from ..prims.reduce import reduce_min_p as _reduce_min_p
from ..typing import Array


def reduce_max(x: Any, axes: tuple[int, ...]) -> Any:
    """The maximum of ``x`` over ``axes``.

    Parameters
    ----------
    x : ArrayLike
    axes : tuple of int
        The axes reduced (non-negative).

    Returns
    -------
    Array
        ``x``'s shape without ``axes``.

    Raises
    ------
    ValueError
        If an axis is out of range (NumPy's ``AxisError`` on plain arrays).

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.reduce_max(np.array([1.0, 3.0]), (0,))
    3.0
    """
    return _reduce_max_p.bind(x, axes=tuple(axes))


def reduce_min(x: Any, axes: tuple[int, ...]) -> Any:
    """The minimum of ``x`` over ``axes``.

    Parameters
    ----------
    x : ArrayLike
    axes : tuple of int
        The axes reduced (non-negative).

    Returns
    -------
    Array
        ``x``'s shape without ``axes``.

    Raises
    ------
    ValueError
        If an axis is out of range (NumPy's ``AxisError`` on plain arrays).

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.reduce_min(np.array([1.0, 3.0]), (0,))
    1.0
    """
    return _reduce_min_p.bind(x, axes=tuple(axes))


def fft(x: Any, fft_type: Any, fft_lengths: Any) -> Any:
    """JAX's ``lax.fft``: the ``fft_type`` transform over the trailing ``len(fft_lengths)`` axes
    of ``x``, unscaled forward and scaled by ``1/N`` inverse (NumPy's ``norm="backward"``).

    Parameters
    ----------
    x : ArrayLike
    fft_type : str
        ``"FFT"``, ``"IFFT"``, ``"RFFT"`` or ``"IRFFT"`` (any case), or an enum with that name.
    fft_lengths : int or sequence of int
        The transform lengths of the trailing axes.

    Returns
    -------
    Array
        Complex (real for ``"IRFFT"``).

    Raises
    ------
    ValueError
        If ``fft_type`` is none of the four.

    Examples
    --------
    >>> import ftrans.lax as lax, numpy as np
    >>> lax.fft(np.array([1.0, 2.0, 3.0, 4.0]), "RFFT", (4,))
    array([10.+0.j, -2.+2.j, -2.+0.j])
    """
    from ..prims import fft as _fft
    name = str(getattr(fft_type, "name", fft_type)).lower()
    if name not in _fft.FFT_TYPES:
        raise ValueError(f"lax.fft: fft_type must be one of FFT, IFFT, RFFT, IRFFT, got "
                         f"{fft_type!r}")
    lengths = (fft_lengths,) if isinstance(fft_lengths, int) else tuple(fft_lengths)
    return _fft.fft(x, name, lengths)


def map(f: Callable[[Any], Any], xs: Any) -> Any:  # noqa: A001
    """``f`` applied to each slice of ``xs`` along its leading axis, stacked (a ``scan``).

    Parameters
    ----------
    f : callable
        ``f(x) -> y`` on one slice (a pytree).
    xs : pytree
        Arrays with a common leading axis.

    Returns
    -------
    pytree
        ``f``'s outputs stacked along a new leading axis.

    Raises
    ------
    ValueError
        If the leaves of ``xs`` have different leading sizes.

    Examples
    --------
    >>> import numpy as np, ftrans.lax as lax
    >>> lax.map(lambda x: x * x, np.arange(3.0))
    array([0., 1., 4.])
    """
    return scan(lambda _, x: ((), f(x)), (), xs)[1]


def conv(lhs: Any, rhs: Any, window_strides: Any, padding: Any, precision: Any = None,
         preferred_element_type: Any = None) -> Any:
    """``conv_general_dilated`` with the default layouts ``('NCHW', 'OIHW', 'NCHW')`` and no
    dilation.

    Parameters
    ----------
    lhs : ArrayLike
        The input, ``(batch, in channels, *spatial)``.
    rhs : ArrayLike
        The kernel, ``(out channels, in channels, *window)``.
    window_strides : sequence of int
    padding : str or sequence of (int, int)
        ``"VALID"``, ``"SAME"``, ``"SAME_LOWER"`` or explicit (low, high) pads.
    precision, preferred_element_type : optional
        As JAX's (accepted; the computation is in the operands' dtype).

    Returns
    -------
    Array
        ``(batch, out channels, *spatial out)``.

    Raises
    ------
    ValueError
        If the shapes do not fit the layouts.

    Examples
    --------
    >>> import numpy as np, ftrans.lax as lax
    >>> lax.conv(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), (1, 1), "VALID")[0, 0]
    array([[4., 4.],
           [4., 4.]])
    """
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def _fname(f: Any) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _monoid(computation: Any) -> str | None:
    import operator

    import numpy as np

    from .. import numpy as fnp
    from . import _elementwise as lx
    table = {lx.add: "sum", lx.mul: "prod", lx.max: "max", lx.min: "min",
             fnp.add: "sum", fnp.multiply: "prod", fnp.maximum: "max", fnp.minimum: "min",
             np.add: "sum", np.multiply: "prod", np.maximum: "max", np.minimum: "min",
             operator.add: "sum", operator.mul: "prod"}
    try:
        return table.get(computation)
    except TypeError:  # unhashable
        return None


def reduce_window(operand: Any, init_value: Any, computation: Any, window_dimensions: Any,
                  window_strides: Any = None, padding: Any = "VALID", base_dilation: Any = None,
                  window_dilation: Any = None) -> Any:
    """JAX's ``lax.reduce_window``: each output element is ``init_value`` combined with the
    elements of one window of the operand.

    Parameters
    ----------
    operand : ArrayLike
    init_value : scalar
        The identity of ``computation`` (0 for add, -inf for max...).
    computation : callable
        ``lax.add``, ``lax.mul``, ``lax.max`` or ``lax.min`` (or NumPy's ``add``,
        ``multiply``, ``maximum``, ``minimum``).
    window_dimensions : sequence of int
        The window's extent along each axis.
    window_strides : sequence of int or None, default None
        The step between windows (None: 1).
    padding : str or sequence of (int, int), default "VALID"
        ``"SAME"``, ``"VALID"`` or (low, high) pairs; padding contributes nothing, as in XLA.
    base_dilation, window_dilation : sequence of int or None, default None
        Holes inserted in the operand (contributing nothing) and between window elements.

    Returns
    -------
    Array

    Raises
    ------
    NotImplementedError
        For another ``computation``.

    Examples
    --------
    >>> import numpy as np, ftrans.lax as lax
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> lax.reduce_window(x, -np.inf, lax.max, (2, 2), (2, 2), "VALID")  # 2x2 max pooling
    array([[ 5.,  7.],
           [13., 15.]])
    """
    monoid = _monoid(computation)
    if monoid is None:
        raise NotImplementedError(
            f"reduce_window: computation {_fname(computation)} is not supported; use "
            "ftrans.lax.add, mul, max or min (or numpy's add, multiply, maximum, minimum)")
    return _windowed.reduce_window(operand, init_value, monoid, window_dimensions,
                                   window_strides, padding, base_dilation, window_dilation)


def _cumulative(name: str, monoid: str, example: str, result: str) -> Callable[..., Array]:
    def fn(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
        return _windowed.cumulative(operand, axis, reverse, monoid)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Inclusive ``{monoid}`` scan of ``operand`` along ``axis`` (from the end "
                  f"if ``reverse``), as JAX's ``lax.{name}``.\n\n"
                  "Parameters\n----------\noperand : ArrayLike\naxis : int, default 0\n"
                  "reverse : bool, default False\n    Scan from the end.\n\n"
                  "Returns\n-------\nArray\n    Of ``operand``'s shape and dtype.\n\n"
                  "Raises\n------\nValueError\n    If ``axis`` is out of range.\n\n"
                  "Examples\n--------\n"
                  f">>> import numpy as np, ftrans.lax as lax\n>>> lax.{name}({example})\n"
                  f"{result}\n")
    return fn


cumsum = _cumulative("cumsum", "sum", "np.array([1.0, 2.0, 3.0])",  # noqa: F811
                     "array([1., 3., 6.])")
cumprod = _cumulative("cumprod", "prod", "np.array([1.0, 2.0, 3.0]), reverse=True",  # noqa: F811
                      "array([6., 6., 3.])")
cummax = _cumulative("cummax", "max", "np.array([1.0, 3.0, 2.0])", "array([1., 3., 3.])")
cummin = _cumulative("cummin", "min", "np.array([[3.0, 1.0], [2.0, 4.0]]), axis=1",
                     "array([[3., 1.],\n       [2., 2.]])")
cumlogsumexp = _cumulative("cumlogsumexp", "logsumexp", "np.log(np.array([1.0, 1.0, 2.0]))",
                           "array([0.        , 0.69314718, 1.38629436])")
