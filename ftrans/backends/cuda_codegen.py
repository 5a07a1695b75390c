"""CUDA code generation: a jaxpr -> a plan of fused kernels and single equations.

Pure Python (no CuPy), so it is tested on machines without a GPU. The steps:

1. ``plan_jaxpr`` drops dead equations, then gathers *maximal groups* of elementwise
   equations of one shape (0-d operands and broadcasts ride along), each with at most one
   trailing reduction (a primitive with a ``cuda_reduce`` combiner: ``reduce_sum``, ``prod``,
   ``max``, ``min``) of a member. A group is one node of the program: an equation joins a
   group only if no path leads from the group to the equation through other nodes, so the
   contracted program stays acyclic; the plan runs its nodes in a topological order that
   keeps the program's order otherwise.
2. ``Group.kernel_source()`` (``cuda_group.py``) writes each group as CUDA: an
   ``__host__ __device__`` element function built from the primitives' ``cuda`` expression
   templates, put into a template of ``ftrans/kernels/`` (``elementwise.cu``, or
   ``reduction.cu`` for a trailing reduction),
   after the element functions of ``ftrans/kernels/ft_math.cuh`` and ``ft_special.cuh``
   (``cuda_text.py``: those files, C types and literals). Sources are self-contained (no
   ``#include``), as NVRTC needs; shapes are baked in; launch shapes are
   ``cuda_launch.py``'s.
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

import heapq
from typing import Any, Callable, Sequence

from ..ir import Eqn, Jaxpr, Literal, Var, last_uses
from ..opt.dce import live_eqns
from .cuda_group import Group, expression_template, reduction_combiner
from .cuda_launch import (  # noqa: F401  (re-exported: the kernels' launch shapes)
    BLOCK,
    COLUMN_MIN_OUTPUTS,
    MAX_GRID,
    REDUCE_BLOCK,
    column_parts,
    elementwise_grid,
    reduction_grid,
    reduction_parts,
)
from .cuda_text import (  # noqa: F401  (re-exported: the kernels' C text)
    _KERNEL_FILES,
    C_TYPES,
    c_literal,
    c_type,
    kernel_text,
    kernels_dir,
    math_source,
)
from .files import write_text

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

    >>> import ftrans, ftrans.numpy as fnp, numpy as np
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
        template = expression_template(e)
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
        if reduction_combiner(e) is not None:
            x = e.inputs[0]
            g = node_of.get(x) if isinstance(x, Var) else None
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

    >>> import ftrans, numpy as np
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
    last = last_uses(plan.steps, jaxpr.outvars)  # the outputs are kept to the end

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
            if last.get(v) == k:
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

