"""``ftrans.lax``: the primitives as functions, without NumPy's promotion or broadcasting
(operands must already agree), plus structured control flow.

>>> import ftrans.lax as lax, numpy as np
>>> lax.integer_pow(np.float64(3.0), 2)
9.0
"""

from __future__ import annotations

from typing import Any

from .prims import complex_parts as _cx
from .prims import elementwise as _ew
from .prims.dot import dot_general  # noqa: F401
from .prims.reduce import reduce_max_p as _reduce_max_p
from .prims.reduce import reduce_min_p as _reduce_min_p
from .prims.reduce import reduce_sum  # noqa: F401
from .prims.shape import (  # noqa: F401
    broadcast_in_dim,
    convert_element_type,
    expand_dims,
    reshape,
    squeeze,
    transpose,
)
from .prims.slicing import concatenate, pad, rev, slice_  # noqa: F401

slice = slice_  # noqa: A001
_PY_SCALARS = (bool, int, float, complex)  # before ``complex`` below shadows the builtin


def _fn(prim: Any, doc: str):
    def fn(*args: Any) -> Any:
        return prim.bind(*args)
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = doc
    return fn


for _name in ("neg", "add", "sub", "mul", "div", "exp", "log", "log1p", "expm1", "sin", "cos",
              "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan", "sqrt", "abs", "sign",
              "logistic", "pow", "max", "min", "atan2", "eq", "ne", "lt", "le", "gt", "ge"):
    globals()[_name] = _fn(getattr(_ew, f"{_name}_p"),
                           f"The ``{_name}`` primitive, applied to operands of equal shape "
                           f"and dtype.\n\n>>> import ftrans.lax as lax, numpy as np\n"
                           f">>> lax.{_name}(*[np.float64(0.5)] * "
                           f"{2 if _name in ('add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'atan2', 'eq', 'ne', 'lt', 'le', 'gt', 'ge') else 1}) is not None\nTrue\n")  # noqa: E501


def complex(x: Any, y: Any) -> Any:  # noqa: A001
    """``x + 1j*y`` from real parts of equal dtype (float32 -> complex64, float64 ->
    complex128); ``complex(0, inf)`` is ``infj``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.complex(np.float64(1.0), np.float64(2.0))
    (1+2j)
    """
    return _cx.complex_p.bind(x, y)


def real(x: Any) -> Any:
    """The real part of a complex ``x``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.real(np.complex128(1 + 2j))
    1.0
    """
    return _cx.real_p.bind(x)


def imag(x: Any) -> Any:
    """The imaginary part of a complex ``x``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.imag(np.complex128(1 + 2j))
    2.0
    """
    return _cx.imag_p.bind(x)


def conj(x: Any) -> Any:
    """The complex conjugate of ``x``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.conj(np.complex128(1 + 2j))
    (1-2j)
    """
    return _cx.conj_p.bind(x)


def integer_pow(x: Any, y: int) -> Any:
    """``x ** y`` for a static integer ``y``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.integer_pow(np.float64(2.0), 3)
    8.0
    """
    return _ew.integer_pow_p.bind(x, y=int(y))


def select_n(which: Any, *cases: Any) -> Any:
    """``cases[which]`` elementwise (with a boolean ``which``: ``cases[1]`` where True).

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.select_n(np.array([True, False]), np.zeros(2), np.ones(2))
    array([1., 0.])
    """
    return _ew.select_n_p.bind(which, *cases)


def reduce_max(x: Any, axes: tuple[int, ...]) -> Any:
    """The maximum over ``axes``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.reduce_max(np.array([1.0, 3.0]), (0,))
    3.0
    """
    return _reduce_max_p.bind(x, axes=tuple(axes))


def reduce_min(x: Any, axes: tuple[int, ...]) -> Any:
    """The minimum over ``axes``.

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.reduce_min(np.array([1.0, 3.0]), (0,))
    1.0
    """
    return _reduce_min_p.bind(x, axes=tuple(axes))


def fft(x: Any, fft_type: Any, fft_lengths: Any) -> Any:
    """JAX's ``lax.fft``: the ``fft_type`` transform (``"FFT"``, ``"IFFT"``, ``"RFFT"``,
    ``"IRFFT"``, any case) over the trailing ``len(fft_lengths)`` axes of ``x``, unscaled
    forward and scaled by ``1/N`` inverse (NumPy's ``norm="backward"``).

    >>> import ftrans.lax as lax, numpy as np
    >>> lax.fft(np.array([1.0, 2.0, 3.0, 4.0]), "RFFT", (4,))
    array([10.+0.j, -2.+2.j, -2.+0.j])
    """
    from .prims import fft as _fft
    name = str(getattr(fft_type, "name", fft_type)).lower()
    if name not in _fft.FFT_TYPES:
        raise ValueError(f"lax.fft: fft_type must be one of FFT, IFFT, RFFT, IRFFT, got "
                         f"{fft_type!r}")
    lengths = (fft_lengths,) if isinstance(fft_lengths, int) else tuple(fft_lengths)
    return _fft.fft(x, name, lengths)


# ----------------------------------------------------------------------------- control flow

from .core import ConcretizationError as _ConcretizationError  # noqa: E402
from .core import Tracer as _Tracer  # noqa: E402
from .core import TracerArrayConversionError as _TracerArrayConversionError  # noqa: E402
from .core import aval_of as _aval_of  # noqa: E402
from .core import trace_to_jaxpr as _trace_to_jaxpr  # noqa: E402
from .ir import ClosedJaxpr as _ClosedJaxpr  # noqa: E402
from .ir import Jaxpr as _Jaxpr  # noqa: E402
from .ir import ShapedArray as _ShapedArray  # noqa: E402
from .ir import Var as _Var  # noqa: E402
from .prims import control as _control  # noqa: E402
from .tree_util import tree_flatten as _tree_flatten  # noqa: E402
from .tree_util import tree_unflatten as _tree_unflatten  # noqa: E402


def _fname(f: Any) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _leaf(x: Any, where: str) -> Any:
    import numpy as np
    if isinstance(x, _Tracer):
        return x
    if isinstance(x, _PY_SCALARS):
        return np.asarray(x)
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return x
    raise TypeError(f"{where}: expected arrays or numbers, got {type(x).__name__} {x!r:.60}")


def _types(avals: Any) -> str:
    return "(" + ", ".join(a.str_short() for a in avals) + ")"


_TRACED_AS = {"cond": "a branch of lax.cond", "switch": "a branch of lax.switch",
              "scan": "the body of lax.scan", "while_loop": "the body of lax.while_loop"}


def _trace_fun(fun: Any, in_tree: Any, avals: list, where: str, why: str = "") -> tuple:
    """Trace ``fun`` (pytree arguments) abstractly: (ClosedJaxpr, hoisted consts, out tree,
    which outputs were Python scalars). ``why`` (by default from ``where``) is what a
    ``ConcretizationError`` inside it names."""
    box: list = []

    def flat(*xs: Any) -> list:
        out = fun(*_tree_unflatten(in_tree, xs))
        leaves, tree = _tree_flatten(out)
        box.append(tree)
        box.append([isinstance(x, _PY_SCALARS) for x in leaves])
        return [_leaf(x, f"{where}: {_fname(fun)} returned") for x in leaves]

    jaxpr, consts = _trace_to_jaxpr(flat, avals, why or _TRACED_AS.get(where, where))
    closed, hoisted = _control.close_jaxpr(jaxpr, consts)
    return closed, hoisted, box[0], box[1]


def _flat_args(tree: Any, where: str) -> tuple[list, Any, list]:
    leaves, treedef = _tree_flatten(tree)
    leaves = [_leaf(x, where) for x in leaves]
    return leaves, treedef, [_aval_of(x).strip_weak() for x in leaves]


def _index_operand(index: Any, where: str, boolean: bool) -> Any:
    import numpy as np
    av = _aval_of(index)
    if av.shape != () or av.dtype.kind not in "biu":
        raise TypeError(f"{where}: the {'predicate' if boolean else 'index'} must be a boolean or "
                        f"integer scalar, got {av.str_short()}")
    if isinstance(index, _Tracer):
        return convert_element_type(index, np.int32)
    return np.int32(bool(index) if boolean else int(index))


def _adopt_weak_scalars(funs: list, traced: list, weak: list) -> list:
    """Branches returning a Python scalar where others return an array of one dtype adopt
    that dtype (NumPy 2 weak scalars); returns the wrapped branches, or [] if none change."""
    import numpy as np
    n = len(traced[0][0].out_avals)
    if any(len(w) != n for w in weak) or not any(any(w) for w in weak):
        return []
    if all(cj.out_avals == traced[0][0].out_avals for cj, _, _ in traced):
        return []
    target: dict[int, Any] = {}
    for k in range(n):
        strong = {cj.out_avals[k].dtype for (cj, _, _), w in zip(traced, weak) if not w[k]}
        if len(strong) == 1:
            target[k] = strong.pop()

    def wrap(f: Any, w: list) -> Any:
        if not any(w[k] and k in target for k in range(n)):
            return f

        def cast(*args: Any) -> Any:
            leaves, tree = _tree_flatten(f(*args))
            leaves = [np.asarray(x, target[k]) if w[k] and k in target else x
                      for k, x in enumerate(leaves)]
            return _tree_unflatten(tree, leaves)
        cast.__name__ = _fname(f)
        return cast

    wrapped = [wrap(f, w) for f, w in zip(funs, weak)]
    return wrapped if any(g is not f for f, g in zip(funs, wrapped)) else []


def _branch_call(index: Any, funs: list, operands: tuple, where: str) -> Any:
    ops, in_tree, avals = _flat_args(operands, f"{where}: operands")
    traced = [_trace_fun(f, in_tree, avals, where) for f in funs]
    adopted = _adopt_weak_scalars(funs, [t[:3] for t in traced], [t[3] for t in traced])
    if adopted:
        funs = adopted
        traced = [_trace_fun(f, in_tree, avals, where) for f in funs]
    traced = [t[:3] for t in traced]
    first_tree, first_avals = traced[0][2], traced[0][0].out_avals
    for f, (cj, _, tree) in zip(funs, traced):
        if tree != first_tree:
            raise TypeError(f"{where}: branches must return the same structure, but "
                            f"{_fname(funs[0])} returns {first_tree} and {_fname(f)} returns "
                            f"{tree}")
        if cj.out_avals != first_avals:
            raise TypeError(f"{where}: branches must return the same types, but "
                            f"{_fname(funs[0])} returns {_types(first_avals)} and {_fname(f)} "
                            f"returns {_types(cj.out_avals)}")
    all_consts = [c for _, h, _ in traced for c in h]
    branches = []
    for i, (cj, hoisted, _) in enumerate(traced):
        j = cj.jaxpr
        pads = [[_Var(_aval_of(c).strip_weak()) for c in h] for _, h, _ in traced]
        pads[i] = list(j.invars[:len(hoisted)])
        invars = [v for p in pads for v in p] + list(j.invars[len(hoisted):])
        branches.append(_ClosedJaxpr(_Jaxpr(j.constvars, invars, j.eqns, j.outvars), cj.consts))
    outs = _control.cond_p.bind(index, *all_consts, *ops, branches=tuple(branches))
    return _tree_unflatten(first_tree, outs)


def cond(pred: Any, true_fun: Any, false_fun: Any, *operands: Any) -> Any:
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``, as one primitive
    that works under ``jit``/``vmap``/``make_jaxpr`` and every derivative. Both branches must
    return the same pytree structure and types. A batched ``pred`` (under ``vmap``) runs both
    branches and selects.

    >>> import ftrans, ftrans.lax as lax
    >>> f = lambda x: lax.cond(x > 0, lambda x: x * x, lambda x: -x, x)
    >>> print(f(3.0), f(-2.0), ftrans.grad(f)(3.0), ftrans.grad(f)(-2.0))
    9.0 2.0 6.0 -1.0
    """
    index = _index_operand(pred, "cond", boolean=True)
    return _branch_call(index, [false_fun, true_fun], operands, "cond")


def switch(index: Any, branches: Any, *operands: Any) -> Any:
    """``branches[index](*operands)``, with ``index`` clamped to ``[0, len(branches) - 1]``.

    >>> import ftrans.lax as lax
    >>> print(lax.switch(2, [lambda x: x, lambda x: 2 * x, lambda x: 3 * x], 1.0))
    3.0
    """
    branches = list(branches)
    if not branches:
        raise ValueError("switch: branches must be a non-empty sequence of functions")
    return _branch_call(_index_operand(index, "switch", boolean=False), branches, operands,
                        "switch")


def while_loop(cond_fun: Any, body_fun: Any, init_val: Any) -> Any:
    """``val = init_val; while cond_fun(val): val = body_fun(val)``, as one primitive.
    Forward and reverse mode both work (JAX has forward only): on concrete values reverse mode
    stores each iteration's residuals (like a ``scan``); inside ``jit``/``vmap``/``make_jaxpr``
    it recomputes them from ``init_val`` (O(n^2) body evaluations, constant memory). Under
    ``vmap`` a batched predicate runs the loop until every element is done.

    >>> import ftrans, ftrans.lax as lax
    >>> halve = lambda x: lax.while_loop(lambda v: v > 1.0, lambda v: v / 2.0, x)
    >>> print(halve(10.0), ftrans.grad(halve)(10.0))
    0.625 0.0625
    """
    init, args_tree, avals = _flat_args((init_val,), "while_loop: init_val")
    tree = args_tree.children[0]
    cond_j, cond_c, cond_tree, _ = _trace_fun(cond_fun, args_tree, avals, "while_loop",
                                              "the cond_fun of lax.while_loop")
    pred = cond_j.out_avals
    if cond_tree.num_leaves != 1 or pred[0].shape != () or pred[0].dtype.kind != "b":
        raise TypeError(f"while_loop: cond_fun {_fname(cond_fun)} must return a boolean "
                        f"scalar, got {_types(pred)}")
    body_j, body_c, body_tree, _ = _trace_fun(body_fun, args_tree, avals, "while_loop")
    if body_tree != tree or body_j.out_avals != avals:
        raise TypeError(f"while_loop: body_fun {_fname(body_fun)} must return the carry's type "
                        f"{tree} {_types(avals)}, but returns {body_tree} "
                        f"{_types(body_j.out_avals)}")
    outs = _control.while_p.bind(*cond_c, *body_c, *init, cond_jaxpr=cond_j, body_jaxpr=body_j,
                                 cond_nconsts=len(cond_c), body_nconsts=len(body_c))
    return _tree_unflatten(tree, outs)


def fori_loop(lower: Any, upper: Any, body_fun: Any, init_val: Any) -> Any:
    """``for i in range(lower, upper): val = body_fun(i, val)``. With Python-int bounds it is
    a ``scan`` (differentiable in every mode); with traced bounds a ``while_loop``.

    With Python-int bounds, a body that needs the counter's value (``c[i]`` with ``c`` a
    NumPy array, a Python list, ``range(i)``: NumPy indexing cannot see a traced counter) is
    run once per iteration with ``i`` a NumPy integer instead, unrolled; JAX raises there.
    ``fnp.take(c, i)`` keeps one rolled loop.

    >>> import ftrans, ftrans.lax as lax, numpy as np
    >>> print(ftrans.grad(lambda x: lax.fori_loop(0, 3, lambda i, v: v * x, 1.0))(2.0))
    12.0
    >>> c = np.array([1.0, 2.0, 3.0])
    >>> print(ftrans.grad(lambda x: lax.fori_loop(0, 3, lambda i, v: v * x + c[i], 0.0))(2.0))
    6.0
    """
    import numpy as np
    if not isinstance(lower, _Tracer) and not isinstance(upper, _Tracer):
        lo, hi = int(lower), int(upper)
        # the bounds' dtype, read without converting them (they may be 0-d CuPy arrays)
        dtype = np.result_type(*[b.dtype if hasattr(b, "dtype") else np.asarray(b).dtype
                                 for b in (lower, upper)])

        def step(carry: Any, _: Any) -> Any:
            i, val = carry
            return (i + np.asarray(1, dtype), body_fun(i, val)), None

        try:
            (_, val), _ = _scan(step, (np.asarray(lo, dtype), init_val), None,
                                max(hi - lo, 0), False, "the body of lax.fori_loop")
        except (_ConcretizationError, _TracerArrayConversionError):
            if not _needs_counter_value(body_fun, np.asarray(lo, dtype)[()], init_val):
                raise
            return _fori_unrolled(range(lo, hi), dtype, body_fun, init_val)
        return val

    def body(carry: Any) -> Any:
        i, hi, val = carry
        return i + 1, hi, body_fun(i, val)

    _, _, val = while_loop(lambda c: c[0] < c[1], body, (lower, upper, init_val))
    return val


def _needs_counter_value(body_fun: Any, i: Any, init_val: Any) -> bool:
    """Whether ``body_fun`` traces with the counter given as the number ``i`` (after failing
    with a traced counter): then its failure was the counter's."""
    _, tree, avals = _flat_args((init_val,), "fori_loop: init_val")
    try:
        _trace_fun(lambda v: body_fun(i, v), tree, avals, "fori_loop",
                   "the body of lax.fori_loop")
    except (_ConcretizationError, _TracerArrayConversionError):
        return False
    return True


def _fori_unrolled(counts: range, dtype: Any, body_fun: Any, val: Any) -> Any:
    """``fori_loop`` as the Python loop it stands for: the counter a NumPy integer of
    ``dtype``, the carry's type checked as a ``scan`` would."""
    import numpy as np
    _, tree, avals = _flat_args(val, "fori_loop: init_val")
    for i in counts:
        val = body_fun(np.asarray(i, dtype)[()], val)
        _, new_tree, new_avals = _flat_args(val, "fori_loop: body_fun result")
        if new_tree != tree or new_avals != avals:
            raise TypeError(f"fori_loop: {_fname(body_fun)} must return a carry of the init's "
                            f"type {tree} {_types(avals)}, but returns {new_tree} "
                            f"{_types(new_avals)}")
    return val


def scan(f: Any, init: Any, xs: Any, length: int | None = None, reverse: bool = False) -> Any:
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns the final carry and
    the stacked ``y``\\ s (JAX's ``lax.scan``).

    >>> import numpy as np, ftrans.lax as lax
    >>> carry, ys = lax.scan(lambda c, x: (c + x, c * x), 0.0, np.arange(4.0))
    >>> print(carry, ys)
    6.0 [0. 0. 2. 9.]
    """
    return _scan(f, init, xs, length, reverse, "the body of lax.scan")


def _scan(f: Any, init: Any, xs: Any, length: int | None, reverse: bool, why: str) -> Any:
    """``scan``, whose body's ``ConcretizationError`` names ``why``."""
    carry, c_tree, c_avals = _flat_args(init, "scan: init")
    x_flat, x_tree, x_avals = _flat_args(xs, "scan: xs")
    lengths = {a.shape[0] if a.shape else None for a in x_avals}
    if None in lengths:
        raise ValueError(f"scan: every xs leaf needs a leading axis to scan over, got "
                         f"{_types(x_avals)}")
    if length is not None:
        lengths.add(int(length))
    if len(lengths) > 1:
        raise ValueError(f"scan: xs leaves have different leading axis sizes: "
                         f"{_types(x_avals)}" + (f" (length={length})" if length else ""))
    if not lengths:
        raise ValueError("scan: length must be given when xs is None or empty")
    n = lengths.pop()
    slice_avals = [_ShapedArray(a.shape[1:], a.dtype) for a in x_avals]
    in_tree = _tree_flatten((init, _tree_unflatten(x_tree, x_flat)))[1]
    box: list = []

    def body(c: Any, x: Any) -> Any:
        out = f(c, x)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"scan: {_fname(f)} must return a pair (carry, y), got "
                            f"{type(out).__name__}")
        box.append(_tree_flatten(out[0])[1])
        return out

    cj, consts, out_tree, _ = _trace_fun(body, in_tree, c_avals + slice_avals, "scan", why)
    nc = len(carry)
    if box[0] != c_tree or cj.out_avals[:nc] != c_avals:
        raise TypeError(f"scan: {_fname(f)} must return a carry of the init's type {c_tree} "
                        f"{_types(c_avals)}, but returns {box[0]} {_types(cj.out_avals[:nc])}")
    args = [*consts, *carry, *x_flat]
    outs = _control.scan_p.bind(*args, jaxpr=cj, num_consts=len(consts), num_carry=nc,
                                length=n, reverse=bool(reverse),
                                linear=(False,) * len(args))
    y_tree = out_tree.children[1] if out_tree.children else out_tree
    return _tree_unflatten(c_tree, outs[:nc]), _tree_unflatten(y_tree, outs[nc:])


def map(f: Any, xs: Any) -> Any:  # noqa: A001
    """``f`` applied to each slice of ``xs`` along its leading axis, stacked (a ``scan``).

    >>> import numpy as np, ftrans.lax as lax
    >>> lax.map(lambda x: x * x, np.arange(3.0))
    array([0., 1., 4.])
    """
    return scan(lambda _, x: ((), f(x)), (), xs)[1]

# NumPy API primitives (issue 4): indexing, scans, sorting
from .prims.cumulative import cumprod, cumsum, reduce_prod  # noqa: E402,F401
from .prims.indexing import gather, scatter, scatter_add  # noqa: E402,F401
from .prims.sorting import argsort, searchsorted  # noqa: E402,F401

for _name in ("exp2", "log2", "log10", "cbrt", "asinh", "acosh", "atanh", "floor", "ceil",
              "trunc", "rint", "isnan", "isinf", "isfinite", "hypot", "logaddexp",
              "logaddexp2", "copysign"):
    _binary_name = _name in ("hypot", "logaddexp", "logaddexp2", "copysign")
    globals()[_name] = _fn(getattr(_ew, f"{_name}_p"),
                           f"The ``{_name}`` primitive, applied to operands of equal shape "
                           f"and dtype.\n\n>>> import ftrans.lax as lax, numpy as np\n"
                           f">>> lax.{_name}(*[np.float64({1.5 if _name == 'acosh' else 0.5})] * "
                           f"{2 if _binary_name else 1})"
                           f" is not None\nTrue\n")

# Integer bitwise primitives (issue 14): JAX's lax names
from .prims import bitwise as _bw  # noqa: E402

for _name, _args, _value in (("bitwise_and", "np.int32(12), np.int32(10)", "8"),
                             ("bitwise_or", "np.int32(12), np.int32(10)", "14"),
                             ("bitwise_xor", "np.int32(12), np.int32(10)", "6"),
                             ("bitwise_not", "np.int32(12)", "-13"),
                             ("shift_left", "np.int32(3), np.int32(2)", "12"),
                             ("shift_right_logical", "np.int32(-8), np.int32(28)", "15"),
                             ("shift_right_arithmetic", "np.int32(-8), np.int32(1)", "-4")):
    globals()[_name] = _fn(getattr(_bw, f"{_name}_p"),
                           f"The ``{_name}`` primitive, applied to integer operands of equal "
                           f"shape and dtype.\n\n>>> import ftrans.lax as lax, numpy as np\n"
                           f">>> int(lax.{_name}({_args}))\n{_value}\n")

# Names JAX ports reach for (issue 14 §5): dynamic slicing, select/clamp, convolutions,
# windowed reductions and cumulative scans
from .custom import stop_gradient  # noqa: E402,F401
from .prims import windowed as _windowed  # noqa: E402
from .prims.clamp import clamp  # noqa: E402,F401
from .prims.conv import (  # noqa: E402,F401
    ConvDimensionNumbers,
    conv_dimension_numbers,
    conv_general_dilated,
)
from .prims.dynamic_slicing import (  # noqa: E402,F401
    dynamic_index_in_dim,
    dynamic_slice,
    dynamic_slice_in_dim,
    dynamic_update_index_in_dim,
    dynamic_update_slice,
    dynamic_update_slice_in_dim,
)
from .prims.elementwise import select  # noqa: E402,F401
from .prims.windowed import padtype_to_pads  # noqa: E402,F401


def conv(lhs: Any, rhs: Any, window_strides: Any, padding: Any, precision: Any = None,
         preferred_element_type: Any = None) -> Any:
    """``conv_general_dilated`` with the default layouts ``('NCHW', 'OIHW', 'NCHW')`` and no
    dilation.

    >>> import numpy as np, ftrans.lax as lax
    >>> lax.conv(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), (1, 1), "VALID")[0, 0]
    array([[4., 4.],
           [4., 4.]])
    """
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def _monoid(computation: Any) -> str | None:
    import operator

    import numpy as np

    from . import numpy as fnp
    g = globals()
    table = {g["add"]: "sum", g["mul"]: "prod", g["max"]: "max", g["min"]: "min",
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
    """JAX's ``lax.reduce_window`` for ``computation`` ``lax.add``, ``lax.mul``, ``lax.max``
    or ``lax.min`` (or NumPy's ``add``, ``multiply``, ``maximum``, ``minimum``): each output
    element is ``init_value`` combined with the elements of one window of the operand, padded
    (``'SAME'``, ``'VALID'`` or ``(low, high)`` pairs) and dilated by ``base_dilation`` (the
    padding and the holes contribute nothing, as in XLA); windows step by ``window_strides``
    and spread by ``window_dilation``.

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


def _cumulative(name: str, monoid: str, example: str, result: str):
    def fn(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
        return _windowed.cumulative(operand, axis, reverse, monoid)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Inclusive ``{monoid}`` scan of ``operand`` along ``axis`` (from the end "
                  f"if ``reverse``), as JAX's ``lax.{name}``.\n\n"
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
