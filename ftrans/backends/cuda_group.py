"""One fused CUDA kernel: a ``Group`` of elementwise equations of one shape, maybe ending
in a reduction, written as CUDA source (``kernel_source``) and as a host C++ loop
(``host_source``) with the same element function.

Which equations may join a group is the primitives' to say: an elementwise primitive's
``cuda`` expression (for the operands its ``cuda_fuses`` accepts), a broadcast
(``broadcasts``, read in place), a reduction's ``cuda_reduce`` combiner. Planning the groups
of a program is ``cuda_codegen.plan_jaxpr``.
"""

from __future__ import annotations

import hashlib
import string
from typing import Any, Sequence

import numpy as np

from ..ir import Eqn, Literal, Var
from .cuda_launch import COLUMN_MIN_OUTPUTS, REDUCE_BLOCK, column_parts, reduction_parts
from .cuda_text import C_TYPES, c_literal, c_param, c_type, is_float, kernel_text, math_source

# ----------------------------------------------------------------------------- fusibility

def _size(shape: Sequence[int]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _supported(dtype: Any) -> bool:
    return np.dtype(dtype).name in C_TYPES


def expression_template(eqn: Eqn) -> str | None:
    """The CUDA expression template of a fusible elementwise equation (or a broadcast,
    ``"{0}"``: read in place), else None. The primitive's ``cuda_fuses`` says for which
    operands its ``cuda`` is right; by default float operands (and a float or bool output,
    isnan and the like) only.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: (x * 2.0, x.astype(int)))(np.ones(3))
    >>> [expression_template(e) for e in cj.jaxpr.eqns]  # C's float-to-int cast differs
    ['({0} * {1})', None]
    """
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
        ok = (is_float(out.dtype) or out.dtype == np.bool_) \
            and all(is_float(a.aval.dtype) for a in eqn.inputs)
    return prim.cuda if ok else None


def reduction_combiner(eqn: Eqn) -> tuple[str, float] | None:
    """The combiner and identity of a reduction kernels fuse (``cuda_reduce``), else None.

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
    >>> cj = ftrans.make_jaxpr(lambda x: fnp.max(x, axis=0))(np.ones((2, 3)))
    >>> reduction_combiner(cj.jaxpr.eqns[0])
    ('ft_max', -inf)
    """
    prim = eqn.prim
    if prim.family != "reduction" or prim.cuda_reduce is None:
        return None
    x, out = eqn.inputs[0].aval, eqn.outputs[0].aval
    if not (is_float(x.dtype) and _supported(x.dtype)) or _size(x.shape) == 0 \
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
            template = expression_template(e)
            assert template is not None, e
            args = [_atom_expr(a, e, i, names) for i, a in enumerate(e.inputs)]
            params = {key: c_param(v) for key, v in e.params.items()
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
            assert isinstance(r, Var)  # a reduction joins the group producing its operand
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


__all__ = ["Group", "expression_template", "reduction_combiner"]
