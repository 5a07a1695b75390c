"""CUDA code generation: a jaxpr -> a plan of fused kernels and single equations.

Pure Python (no CuPy), so it is tested on machines without a GPU. The steps:

1. ``plan_jaxpr`` drops dead equations, then gathers *maximal groups* of elementwise
   equations of one shape (0-d operands and broadcasts ride along), each with at most one
   trailing reduction (a primitive with a ``cuda_reduce`` combiner: ``reduce_sum``, ``prod``,
   ``max``, ``min``) of a member. A group is one node of the program: an equation joins a
   group only if no path leads from the group to the equation through other nodes, so the
   contracted program stays acyclic; the plan runs its nodes in a topological order that
   keeps the program's order otherwise.
2. ``Group.kernel_source()`` writes each group as CUDA: an ``__host__ __device__`` element
   function built from the primitives' ``cuda`` expression templates, put into a template
   of ``ftrans/kernels/`` (``elementwise.cu``, or ``reduction.cu`` for a trailing reduction),
   after the element functions of ``ftrans/kernels/ft_math.cuh`` and ``ft_special.cuh``.
   Sources are self-contained (no ``#include``), as NVRTC needs; shapes are baked in.
3. ``Group.host_source()`` puts the same element function into ``ftrans/kernels/host.cpp``: a
   plain C++ loop the tests build with ``g++`` and compare with NumPy.

Kernels are real: an equation with a complex input or output (no C type in ``C_TYPES``) is
never fused and runs CuPy's own function, as NumPy's runs on the CPU (``thrust::complex``
differs from NumPy on branch cuts and infinities; complex work is mostly matmuls and FFTs,
which are library calls anyway). The real equations around it fuse as usual.

>>> import ftrans, ftrans.numpy as fnp, numpy as np
>>> cj = ftrans.make_jaxpr(lambda x: fnp.sum(fnp.sin(x) * x))(np.ones(8))
>>> plan = plan_jaxpr(cj.jaxpr)
>>> [type(s).__name__ for s in plan.steps]
['Group']
>>> "sin(" in plan.steps[0].kernel_source()
True
"""

from __future__ import annotations

import hashlib
import heapq
import os
import string
from typing import Any, Callable, Sequence

import numpy as np

from ..ir import Eqn, Jaxpr, Literal, Var
from .files import write_text

# ----------------------------------------------------------------------------- kernels/

_KERNEL_FILES = ("ft_math.cuh", "ft_special.cuh", "elementwise.cu", "reduction.cu",
                 "reduction_columns.cu", "host.cpp")


def kernels_dir() -> str:
    """The folder of CUDA sources, ``ftrans/kernels`` (package data: the wheel and the sdist
    ship it, and a source checkout has it in place).

    >>> os.path.exists(os.path.join(kernels_dir(), "ft_math.cuh"))
    True
    """
    d = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kernels")
    if not os.path.exists(os.path.join(d, "ft_math.cuh")):
        raise FileNotFoundError(f"the CUDA sources of ftrans are missing: no ft_math.cuh in "
                                f"{d}; reinstall ftrans (they are package data)")
    return d


_texts: dict[str, str] = {}


def kernel_text(name: str) -> str:
    """The text of one file of ``ftrans/kernels/`` (read once).

    >>> "ft_logistic" in kernel_text("ft_math.cuh")
    True
    """
    if name not in _texts:
        with open(os.path.join(kernels_dir(), name), encoding="utf-8") as f:
            _texts[name] = f.read()
    return _texts[name]


def math_source() -> str:
    """The element functions every kernel starts with: ``ft_math.cuh`` (helpers, erfinv,
    digamma) and ``ft_special.cuh`` (the other special functions).

    >>> "ft_betainc" in math_source()
    True
    """
    return kernel_text("ft_math.cuh") + "\n" + kernel_text("ft_special.cuh")


# ----------------------------------------------------------------------------- C types

C_TYPES: dict[str, str] = {
    "float64": "double", "float32": "float", "bool": "bool",
    "int8": "signed char", "uint8": "unsigned char", "int16": "short",
    "uint16": "unsigned short", "int32": "int", "uint32": "unsigned int",
    "int64": "long long", "uint64": "unsigned long long",
}


def c_type(dtype: Any) -> str:
    """The C type of a NumPy dtype (``KeyError`` where kernels do not support it).

    >>> c_type(np.float32), c_type("int64")
    ('float', 'long long')
    """
    return C_TYPES[np.dtype(dtype).name]


def _is_float(dtype: Any) -> bool:
    return np.dtype(dtype).kind == "f"


def c_literal(value: Any, dtype: Any) -> str:
    """``value`` as an exact C literal of ``dtype``: hexadecimal floats, named inf/NaN.

    >>> c_literal(1.5, np.float32), c_literal(float("-inf"), np.float64), c_literal(3, "int64")
    ('0x1.8000000000000p+0f', '(-FT_INF_F64)', '((long long)3LL)')
    >>> c_literal(-2.0, np.float64)
    '(-0x1.0000000000000p+1)'
    """
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return "true" if bool(value) else "false"
    if dt.kind == "f":
        x = float(dt.type(value))
        bits = "F32" if dt == np.float32 else "F64"
        if np.isnan(x):
            return f"FT_NAN_{bits}"
        if np.isinf(x):
            return f"FT_INF_{bits}" if x > 0 else f"(-FT_INF_{bits})"
        text = x.hex() + ("f" if dt == np.float32 else "")
        return f"({text})" if text.startswith("-") else text
    x = int(value)
    if dt.kind == "u":
        return f"(({c_type(dt)}){x}ULL)"
    if x == -2 ** 63:
        return "((long long)(-9223372036854775807LL - 1))"
    return f"(({c_type(dt)}){x}LL)"


def _c_param(value: Any) -> str:
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return c_type(value)
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return c_literal(value, np.float64)
    raise TypeError(f"no C form for parameter {value!r}")


# ----------------------------------------------------------------------------- fusibility

def _size(shape: Sequence[int]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _supported(dtype: Any) -> bool:
    return np.dtype(dtype).name in C_TYPES


def _expression_template(eqn: Eqn) -> str | None:
    """The CUDA expression template of a fusible elementwise equation (or a broadcast,
    ``"{0}"``: read in place), else None. The primitive's ``cuda_fuses`` says for which
    operands its ``cuda`` is right; by default float operands (and a float or bool output,
    isnan and the like) only."""
    prim = eqn.prim
    out = eqn.outputs[0].aval
    if prim.multiple_results or _size(out.shape) == 0:
        return None
    if not all(_supported(a.aval.dtype) for a in (*eqn.inputs, *eqn.outputs)):
        return None
    if prim.broadcasts:
        x = eqn.inputs[0]
        return "{0}" if x.aval.ndim == 0 or (type(x) is Var and x.aval.size > 0) else None
    if prim.family != "elementwise" or prim.cuda is None:
        return None
    if prim.cuda_fuses is not None:
        ok = prim.cuda_fuses([a.aval for a in eqn.inputs], out, **eqn.params)
    else:
        ok = (_is_float(out.dtype) or out.dtype == np.bool_) \
            and all(_is_float(a.aval.dtype) for a in eqn.inputs)
    return prim.cuda if ok else None


def _reduction_kind(eqn: Eqn) -> tuple[str, float] | None:
    """The combiner and identity of a reduction kernels fuse (``cuda_reduce``), else None."""
    prim = eqn.prim
    if prim.family != "reduction" or prim.cuda_reduce is None:
        return None
    x, out = eqn.inputs[0].aval, eqn.outputs[0].aval
    if not (_is_float(x.dtype) and _supported(x.dtype)) or _size(x.shape) == 0 \
            or _size(out.shape) == 0 or type(eqn.inputs[0]) is not Var:
        return None
    return prim.cuda_reduce


# ----------------------------------------------------------------------------- groups

class Group:
    """Elementwise equations of one shape, maybe ending in a reduction: one kernel.

    ``inputs`` are the variables it reads (of its shape, or 0-d), ``outputs`` the member
    variables needed outside it, then the reduction's output (if any).
    """

    def __init__(self, shape: tuple[int, ...], index: int):
        self.shape = shape
        self.index = index  # program position of its first equation (for ordering)
        self.eqns: list[Eqn] = []
        self.reduction: Eqn | None = None
        self.inputs: list[Var] = []
        self.outputs: list[Var] = []
        # inputs of the group's shape whose values are one number broadcast (stride 0):
        # passed as that number and read at [0]
        self.broadcast: set[Var] = set()
        # inputs broadcast into the group's shape by a member broadcast_in_dim: their
        # broadcast_dimensions (each element is read at its broadcast index)
        self.spread: dict[Var, tuple[int, ...]] = {}
        self._source: str | None = None
        self._name: str | None = None

    @property
    def size(self) -> int:
        return _size(self.shape)

    def produced(self) -> set[Var]:
        return {e.outputs[0] for e in self.eqns}

    def __repr__(self) -> str:
        names = [e.prim.name for e in self.eqns]
        if self.reduction is not None:
            names.append(self.reduction.prim.name)
        return f"Group({self.shape}, {' '.join(names)})"

    # --- the generated element function
    def _names(self) -> tuple[dict[Var, str], list[str]]:
        names: dict[Var, str] = {v: f"in{i}" for i, v in enumerate(self.inputs)}
        lines = []
        for k, e in enumerate(self.eqns):
            template = _expression_template(e)
            assert template is not None, e
            args = [_atom_expr(a, e, i, names) for i, a in enumerate(e.inputs)]
            params = {key: _c_param(v) for key, v in e.params.items()
                      if "{" + key + "}" in template}
            out = e.outputs[0]
            names[out] = f"v{k}"
            lines.append(f"  const {c_type(out.aval.dtype)} v{k} = "
                         f"{template.format(*args, **params)};")
        return names, lines

    def element_function(self, name: str) -> str:
        """``FT_HD void name(inputs..., outputs&..., [reduced&])``: the group's math."""
        names, lines = self._names()
        params = [f"const {c_type(v.aval.dtype)} in{i}" for i, v in enumerate(self.inputs)]
        params += [f"{c_type(v.aval.dtype)}& out{i}" for i, v in enumerate(self.outputs)
                   if v in names]
        for i, v in enumerate(self.outputs):
            if v in names:
                lines.append(f"  out{i} = {names[v]};")
        if self.reduction is not None:
            r = self.reduction.inputs[0]
            params.append(f"{c_type(r.aval.dtype)}& reduced")
            lines.append(f"  reduced = {names[r]};")
        return f"FT_HD void {name}({', '.join(params)}) {{\n" + "\n".join(lines) + "\n}"

    def _body(self, elem: str, indent: str) -> str:
        """Per element ``i``: load inputs, call the element function, store outputs."""
        names, _ = self._names()
        lines, call = [], []
        for k, v in enumerate(self.inputs):
            idx = "0" if v.aval.ndim == 0 or v in self.broadcast else "i"
            if v in self.spread and v.aval.ndim:
                idx = _spread_index(self.shape, v.aval.shape, self.spread[v])
            lines.append(f"const {c_type(v.aval.dtype)} in{k} = p_in{k}[{idx}];")
            call.append(f"in{k}")
        stores = []
        for k, v in enumerate(self.outputs):
            if v in names:
                lines.append(f"{c_type(v.aval.dtype)} out{k};")
                call.append(f"out{k}")
                stores.append(f"p_out{k}[i] = out{k};")
        if self.reduction is not None:
            lines.append(f"{c_type(self.reduction.inputs[0].aval.dtype)} reduced;")
            call.append("reduced")
        lines.append(f"{elem}({', '.join(call)});")
        lines += stores
        return "\n".join(indent + s for s in lines)

    def _params(self) -> list[str]:
        ps = [f"const {c_type(v.aval.dtype)}* __restrict__ p_in{k}"
              for k, v in enumerate(self.inputs)]
        ps += [f"{c_type(v.aval.dtype)}* __restrict__ p_out{k}"
               for k, v in enumerate(self.outputs) if not self._is_reduced(v)]
        return ps

    def _is_reduced(self, v: Var) -> bool:
        return self.reduction is not None and v is self.reduction.outputs[0]

    # --- the reduction's index map and combiner
    def reduction_info(self) -> dict[str, Any]:
        """n_out, r_size, parts and the C pieces of the trailing reduction (``combine``, its
        ``identity``: the primitive's ``cuda_reduce``)."""
        assert self.reduction is not None
        axes = tuple(self.reduction.params["axes"])
        combine, ident = self.reduction.prim.cuda_reduce
        dtype = self.reduction.outputs[0].aval.dtype
        r_size = _size([self.shape[a] for a in axes])
        n_out = self.size // r_size
        columns = axes == tuple(range(len(axes))) and n_out >= COLUMN_MIN_OUTPUTS
        parts = column_parts(n_out, r_size) if columns else reduction_parts(n_out, r_size)
        return dict(axes=axes, combine=combine, dtype=dtype, r_size=r_size,
                    n_out=n_out, identity=c_literal(float(ident), dtype), parts=parts,
                    layout="columns" if columns else "blocks")

    def _index_code(self, indent: str) -> str:
        info = self.reduction_info()
        axes, shape = info["axes"], self.shape
        nd = len(shape)
        if axes == tuple(range(nd - len(axes), nd)):
            return f"{indent}const long long i = j * r_size + k;"
        if axes == tuple(range(len(axes))):
            return f"{indent}const long long i = k * n_out + j;"
        strides = [_size(shape[d + 1:]) for d in range(nd)]
        lines = ["long long i = 0, t = j;"]
        for d in reversed([d for d in range(nd) if d not in axes]):
            lines.append(f"i += (t % {shape[d]}LL) * {strides[d]}LL; t /= {shape[d]}LL;")
        lines.append("t = k;")
        for d in reversed(axes):
            lines.append(f"i += (t % {shape[d]}LL) * {strides[d]}LL; t /= {shape[d]}LL;")
        return "\n".join(indent + s for s in lines)

    # --- sources
    def kernel_source(self) -> str:
        """The group's complete CUDA source (its kernel is named ``self.name``)."""
        if self._source is None:
            src = self._render("FT_KERNEL")
            self._name = "ft_fused_" + hashlib.sha1(src.encode()).hexdigest()[:16]
            self._source = src.replace("FT_KERNEL", self._name)
        return self._source

    @property
    def name(self) -> str:
        self.kernel_source()
        assert self._name is not None
        return self._name

    def _render(self, name: str) -> str:
        elem = self.element_function(f"{name}_element")
        if self.reduction is None:
            return string.Template(kernel_text("elementwise.cu")).substitute(
                math=math_source(), element=elem, name=name,
                params=", ".join(self._params()), size=self.size,
                body=self._body(f"{name}_element", " " * 4))
        info = self.reduction_info()
        acc_t = c_type(info["dtype"])
        params = self._params() + [f"{acc_t}* __restrict__ ft_partial"]
        template = "reduction_columns.cu" if info["layout"] == "columns" else "reduction.cu"
        return string.Template(kernel_text(template)).substitute(
            math=math_source(), element=elem, name=name, block=REDUCE_BLOCK,
            params=", ".join(params), acc_t=acc_t, n_out=info["n_out"],
            r_size=info["r_size"], parts=info["parts"], identity=info["identity"],
            combine=info["combine"], index=self._index_code(" " * 6),
            body=self._body(f"{name}_element", " " * 6),
            accumulate=f"      acc = {info['combine']}(acc, reduced);")

    def host_source(self, name: str) -> str:
        """A C++ function ``extern "C" void name(void** in, void** out)`` computing the
        group on the CPU with the same element function (without ``math_source()``)."""
        elem = self.element_function(f"{name}_element")
        unpack = [f"  const {c_type(v.aval.dtype)}* p_in{k} = "
                  f"(const {c_type(v.aval.dtype)}*)ft_in[{k}];"
                  for k, v in enumerate(self.inputs)]
        unpack += [f"  {c_type(v.aval.dtype)}* p_out{k} = ({c_type(v.aval.dtype)}*)ft_out[{k}];"
                   for k, v in enumerate(self.outputs)]
        body = self._body(f"{name}_element", " " * 6)
        if self.reduction is None:
            return string.Template(kernel_text("host.cpp")).substitute(
                element=elem, name=name, unpack="\n".join(unpack), n_out=1, r_size=self.size,
                acc_t="int", identity="0", index="      const long long i = k;", body=body,
                accumulate="", store_reduced="(void)acc;")
        info = self.reduction_info()
        red = self.outputs.index(self.reduction.outputs[0])
        return string.Template(kernel_text("host.cpp")).substitute(
            element=elem, name=name, unpack="\n".join(unpack), n_out=info["n_out"],
            r_size=info["r_size"], acc_t=c_type(info["dtype"]), identity=info["identity"],
            index=self._index_code(" " * 6), body=body,
            accumulate=f"      acc = {info['combine']}(acc, reduced);",
            store_reduced=f"p_out{red}[j] = acc;")


def _spread_index(shape: tuple[int, ...], src: tuple[int, ...], dims: tuple[int, ...]) -> str:
    """The C index into an array of shape ``src`` broadcast to ``shape`` (its axis k at
    ``dims[k]``) of the element at flat index ``i`` of ``shape``."""
    terms = []
    for k, d in enumerate(dims):
        if src[k] == 1:
            continue
        outer = _size(shape[d + 1:])
        src_stride = _size(src[k + 1:])
        coord = f"(i / {outer}LL)" if outer != 1 else "i"
        if d:
            coord = f"({coord} % {shape[d]}LL)"
        terms.append(coord if src_stride == 1 else f"{coord} * {src_stride}LL")
    return " + ".join(terms) or "0"


def _atom_expr(a: Any, eqn: Eqn, pos: int, names: dict[Var, str]) -> str:
    """An operand in C: a variable's name, or a literal; a weak-typed literal takes the
    dtype of the other operands (but a selector's, such as ``select_n``'s predicate, is its
    own and no other operand's)."""
    if type(a) is not Literal:
        return names[a]
    dtype = a.aval.dtype
    selector = eqn.prim.selector_operand
    if a.aval.weak_type and pos != selector:
        peers = [b.aval.dtype for i, b in enumerate(eqn.inputs)
                 if i != pos and i != selector
                 and not (type(b) is Literal and b.aval.weak_type)]
        dtype = peers[0] if peers else eqn.outputs[0].aval.dtype
    return c_literal(np.asarray(a.val).item(), dtype)


# ----------------------------------------------------------------------------- launch shapes

BLOCK = 256
REDUCE_BLOCK = 256
MAX_GRID = 1 << 16


def elementwise_grid(n: int) -> int:
    """Blocks for an elementwise kernel over ``n`` elements (grid-stride beyond that).

    >>> elementwise_grid(1000), elementwise_grid(10 ** 9)
    (4, 65536)
    """
    return max(1, min(-(-n // BLOCK), MAX_GRID))


def reduction_parts(n_out: int, r_size: int) -> int:
    """How many blocks share one output's reduction: enough blocks to fill the device,
    at least 4 elements per thread.

    >>> reduction_parts(1, 10 ** 8), reduction_parts(1000, 100)
    (4096, 1)
    """
    want = -(-r_size // (REDUCE_BLOCK * 4))
    return max(1, min(want, max(1, 4096 // max(n_out, 1))))


COLUMN_MIN_OUTPUTS = 32  # reductions over leading axes with this many outputs: columns


def column_parts(n_out: int, r_size: int) -> int:
    """How many threads share one output of a column reduction: about 64K threads in
    all, each summing at least 8 elements.

    >>> column_parts(1024, 4096), column_parts(10 ** 6, 100)
    (64, 1)
    """
    return max(1, min(-(-(1 << 16) // n_out), r_size // 8))


def reduction_grid(n_out: int, parts: int) -> int:
    """Blocks for a reduction kernel: one per (output, part), grid-stride beyond that.

    >>> reduction_grid(3, 2)
    6
    """
    return max(1, min(n_out * parts, MAX_GRID))


# ----------------------------------------------------------------------------- planning

class Plan:
    """The program as steps: ``Eqn`` (run alone) or ``Group`` (one kernel), in order."""

    def __init__(self, jaxpr: Jaxpr, steps: list[Eqn | Group]):
        self.jaxpr = jaxpr
        self.steps = steps

    @property
    def groups(self) -> list[Group]:
        return [s for s in self.steps if isinstance(s, Group)]

    def __repr__(self) -> str:
        return "Plan(" + ", ".join(repr(s) if isinstance(s, Group) else s.prim.name
                                   for s in self.steps) + ")"


def live_eqns(jaxpr: Jaxpr) -> list[Eqn]:
    """The equations some output depends on (primitives are pure).

    >>> import ftrans
    >>> cj = ftrans.make_jaxpr(lambda x: (x * 2.0, x + 1.0)[0])(1.0)
    >>> [e.prim.name for e in live_eqns(cj.jaxpr)]
    ['mul']
    """
    live = {id(v) for v in jaxpr.outvars if type(v) is Var}
    kept = []
    for e in reversed(jaxpr.eqns):
        if any(id(v) in live for v in e.outputs):
            kept.append(e)
            live.update(id(a) for a in e.inputs if type(a) is Var)
    return kept[::-1]


def _node_inputs(node: Eqn | Group) -> list[Var]:
    if isinstance(node, Eqn):
        return [a for a in node.inputs if type(a) is Var]
    eqns = node.eqns + ([node.reduction] if node.reduction is not None else [])
    return [a for e in eqns for a in e.inputs if type(a) is Var]


_CANDIDATES = 8  # most recent groups of a shape an equation may join


def plan_jaxpr(jaxpr: Jaxpr, min_group: int = 1, broadcast: Sequence[Var] = ()) -> Plan:
    """Group ``jaxpr``'s live equations into fused kernels (see the module's notes).

    Groups of fewer than ``min_group`` equations (counting the reduction) are run as
    single equations. Variables in ``broadcast`` (constants known to hold one number
    broadcast) are read by kernels as that one number.

    >>> import ftrans, ftrans.numpy as fnp
    >>> w = np.ones((3, 3))
    >>> f = lambda x: fnp.tanh(fnp.sin(x) @ w) * 2.0
    >>> plan_jaxpr(ftrans.make_jaxpr(f)(np.ones((2, 3))).jaxpr)
    Plan(Group((2, 3), sin), dot_general, Group((2, 3), tanh mul))
    """
    eqns = live_eqns(jaxpr)
    node_of: dict[Var, Eqn | Group] = {}      # producer node of each variable
    reduced_by: dict[Var, Group] = {}         # reduction outputs: not readable in-group
    nodes: list[Eqn | Group] = []
    by_shape: dict[tuple, list[Group]] = {}

    def reaches(g: Group, start: list[Var]) -> bool:
        """Whether some variable in ``start`` depends on ``g`` through another node."""
        seen: set[int] = set()
        stack = [node_of[v] for v in start if v in node_of and node_of[v] is not g]
        stack += [g for v in start if v in reduced_by and reduced_by[v] is g]
        while stack:
            n = stack.pop()
            if n is g:
                return True
            if id(n) in seen:
                continue
            seen.add(id(n))
            stack.extend(node_of[v] for v in _node_inputs(n) if v in node_of)
        return False

    for idx, e in enumerate(eqns):
        ins = [a for a in e.inputs if type(a) is Var]
        template = _expression_template(e)
        if template is not None:
            shape = e.outputs[0].aval.shape
            candidates = by_shape.get(shape, [])[-_CANDIDATES:]
            spread = None
            if e.prim.broadcasts and type(e.inputs[0]) is Var \
                    and e.inputs[0].aval.ndim and e.inputs[0].aval.shape != shape:
                spread = (e.inputs[0], tuple(e.params["broadcast_dimensions"]))
            target = next((g for g in reversed(candidates) if not reaches(g, ins)
                           and (spread is None
                                or g.spread.get(spread[0], spread[1]) == spread[1])), None)
            if target is None:
                target = Group(shape, idx)
                by_shape.setdefault(shape, []).append(target)
                nodes.append(target)
            target.eqns.append(e)
            if spread is not None:
                target.spread[spread[0]] = spread[1]
            node_of[e.outputs[0]] = target
            continue
        if _reduction_kind(e) is not None:
            x = e.inputs[0]
            g = node_of.get(x)
            if isinstance(g, Group) and g.reduction is None and x in g.produced() \
                    and g.shape == x.aval.shape:
                g.reduction = e
                node_of[e.outputs[0]] = g
                reduced_by[e.outputs[0]] = g
                continue
        nodes.append(e)
        for v in e.outputs:
            node_of[v] = e

    # inputs and outputs of each group; small groups go back to single equations
    used_outside: dict[int, set[int]] = {}
    for n in nodes:
        for v in _node_inputs(n):
            p = node_of.get(v)
            if p is not None and p is not n:
                used_outside.setdefault(id(p), set()).add(id(v))
    out_ids = {id(v) for v in jaxpr.outvars if type(v) is Var}
    final: list[Eqn | Group] = []
    for n in nodes:
        if not isinstance(n, Group):
            final.append(n)
            continue
        count = len(n.eqns) + (n.reduction is not None)
        if count < min_group:
            final.extend(n.eqns + ([n.reduction] if n.reduction is not None else []))
            continue
        produced = n.produced()
        seen: set[int] = set()
        for v in _node_inputs(n):
            if v not in produced and id(v) not in seen and not n._is_reduced(v):
                seen.add(id(v))
                n.inputs.append(v)
                if any(v is b for b in broadcast):
                    n.broadcast.add(v)
        outside = used_outside.get(id(n), set()) | out_ids
        n.outputs = [e.outputs[0] for e in n.eqns if id(e.outputs[0]) in outside]
        if n.reduction is not None:
            n.outputs.append(n.reduction.outputs[0])
        final.append(n)
    return Plan(jaxpr, _schedule(final))


def _schedule(nodes: list[Eqn | Group]) -> list[Eqn | Group]:
    """A topological order of the nodes, earliest program position first among ready ones."""
    producer: dict[int, int] = {}
    for k, n in enumerate(nodes):
        outs = n.outputs if isinstance(n, Eqn) else (
            [e.outputs[0] for e in n.eqns]
            + ([n.reduction.outputs[0]] if n.reduction is not None else []))
        for v in outs:
            producer[id(v)] = k
    deps: list[set[int]] = []
    users: list[list[int]] = [[] for _ in nodes]
    for k, n in enumerate(nodes):
        d = {producer[id(v)] for v in _node_inputs(n) if id(v) in producer} - {k}
        deps.append(d)
        for p in d:
            users[p].append(k)
    ready = [k for k, d in enumerate(deps) if not d]
    heapq.heapify(ready)
    order = []
    while ready:
        k = heapq.heappop(ready)
        order.append(nodes[k])
        for u in users[k]:
            deps[u].discard(k)
            if not deps[u]:
                heapq.heappush(ready, u)
    assert len(order) == len(nodes), "fusion made the program cyclic"
    return order


# ----------------------------------------------------------------------------- running

def execute(plan: Plan, consts: Sequence[Any], args: Sequence[Any],
            run_eqn: Callable[[Eqn, list[Any]], list[Any]],
            run_group: Callable[[Group, list[Any]], list[Any]]) -> list[Any]:
    """Run ``plan`` with the given runners, dropping each value after its last use.

    >>> import ftrans
    >>> cj = ftrans.make_jaxpr(lambda x: x * 2.0 + 1.0)(1.0)
    >>> by_impl = lambda e, vals: [e.prim.impl(np, *vals, **e.params)]
    >>> by_eqns = lambda g, ins: [3.0]  # a stand-in for a kernel
    >>> execute(plan_jaxpr(cj.jaxpr), [], [1.0], by_impl, by_eqns)
    [3.0]
    """
    jaxpr = plan.jaxpr
    env: dict[int, Any] = {}
    for v, x in zip(jaxpr.constvars, consts):
        env[id(v)] = x
    for v, x in zip(jaxpr.invars, args):
        env[id(v)] = x
    last: dict[int, int] = {}
    for k, s in enumerate(plan.steps):
        for v in (s.inputs if isinstance(s, Group) else _node_inputs(s)):
            last[id(v)] = k
    keep = {id(v) for v in jaxpr.outvars if type(v) is Var}

    def read(a: Any) -> Any:
        return a.val if type(a) is Literal else env[id(a)]

    for k, s in enumerate(plan.steps):
        if isinstance(s, Group):
            outs = run_group(s, [env[id(v)] for v in s.inputs])
            targets = s.outputs
        else:
            outs = run_eqn(s, [read(a) for a in s.inputs])
            targets = list(s.outputs)
        for v, o in zip(targets, outs):
            env[id(v)] = o
        for v in (s.inputs if isinstance(s, Group) else _node_inputs(s)):
            if last.get(id(v)) == k and id(v) not in keep:
                env.pop(id(v), None)
    return [read(a) for a in jaxpr.outvars]


def write_source(source: str, name: str, directory: str) -> str:
    """Write ``source`` as ``directory/name.cu`` and return the path. The directory is
    created 0700 and must be private (``files.write_text``: else ``UnsafePathError``); no
    symbolic link is followed.

    >>> import tempfile
    >>> write_source("// empty", "k", tempfile.mkdtemp()).endswith("k.cu")
    True
    """
    return write_text(directory, f"{name}.cu", source)


__all__ = ["Group", "Plan", "plan_jaxpr", "execute", "kernels_dir", "kernel_text", "c_type",
           "c_literal", "elementwise_grid", "reduction_parts", "reduction_grid",
           "write_source", "live_eqns"]
