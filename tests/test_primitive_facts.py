"""Facts about a primitive live with the primitive: backends and passes read the attributes
primitives declare (documented in ``ftrans.primitive.Primitive``) and know no primitive by name."""

from __future__ import annotations

import ast
import pathlib
import re

import numpy as np
import pytest

import ftrans
from ftrans.backends.cfuse import c_form
from ftrans.backends.cuda_codegen import kernel_text
from ftrans.core import PRIMITIVES, Primitive, aval_of

ROOT = pathlib.Path(ftrans.__file__).parent
# Strings in backends/ and opt/ that equal a primitive's name without naming the primitive:
# {(file, string): why}. Keep it short; a new entry needs a reason a reviewer accepts.
ALLOWED: dict[tuple[str, str], str] = {
    ("transforms/transpose.py", "transpose"): "the rule's name in debug_nans' message",
}


def _named_primitives(folder: str) -> list[str]:
    """``file:line: 'name'`` for every string constant in ``folder`` equal to a registered
    primitive's name (docstrings included: a doctest naming one is a name too)."""
    hits = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value in PRIMITIVES and (rel, node.value) not in ALLOWED:
                hits.append(f"{rel}:{node.lineno}: {node.value!r}")
    return hits


@pytest.mark.parametrize("folder", ["backends", "opt", "transforms"])
def test_backends_passes_and_transforms_name_no_primitive(folder):
    assert _named_primitives(folder) == []


def test_the_check_finds_a_name(tmp_path, monkeypatch):
    """The check above is not vacuous: a table keyed by primitive names is caught."""
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "table.py").write_text('C_EXPR = {"sin": "sin({0})"}\n')
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert _named_primitives("fake") == ["fake/table.py:1: 'sin'"]


def test_every_attribute_is_documented():
    doc = Primitive.__doc__ or ""
    undocumented = [a for a in Primitive.__slots__
                    if a not in ("name", "multiple_results", "family")
                    and f"``{a}" not in doc]
    assert undocumented == []


def test_c_forms_are_the_cuda_expressions():
    """A primitive's C99 form, where it is a string, is its CUDA expression: one formula."""
    forms = {n: p for n, p in PRIMITIVES.items() if p.c_expr is not None}
    assert {"add", "sin", "atan2", "abs", "integer_pow"} <= set(forms)
    for name, p in forms.items():
        assert p.family == "elementwise", name
        if isinstance(p.c_expr, str):
            assert p.c_expr == p.cuda, name


def test_integer_pow_c_form_from_its_params():
    cj = ftrans.make_jaxpr(lambda x: (x ** 2, x ** 0, x ** -3))(np.ones(4))
    assert [c_form(e) for e in cj.jaxpr.eqns] == ["({0} * {0})", "1.0", "pow({0}, -3.0)"]


def test_reductions_name_a_combiner_not_an_expression():
    """``cuda`` is an expression; a reduction's kernel combiner is ``cuda_reduce``: a
    function of ft_math.cuh and its identity element."""
    math = kernel_text("ft_math.cuh")
    reducers = {n: p.cuda_reduce for n, p in PRIMITIVES.items() if p.cuda_reduce is not None}
    assert set(reducers) == {"reduce_sum", "reduce_prod", "reduce_max", "reduce_min"}
    for name, (combine, identity) in reducers.items():
        p = PRIMITIVES[name]
        assert p.family == "reduction" and p.cuda is None, name
        assert re.search(rf"\b{combine}\(", math), combine
        x = np.array([2.0, -3.0, 0.5])
        assert p.impl(np, np.append(x, identity), axes=(0,)) == p.impl(np, x, axes=(0,))


@pytest.mark.parametrize("name", [n for n, p in PRIMITIVES.items() if p.commutative])
def test_commutative_primitives_commute(name):
    p = PRIMITIVES[name]
    x, y = np.array([1.0, -2.0, np.nan, 3.0]), np.array([0.5, -2.0, 1.0, np.inf])
    np.testing.assert_array_equal(p.impl(np, x, y), p.impl(np, y, x))


def test_declared_kernel_facts():
    assert PRIMITIVES["broadcast_in_dim"].broadcasts
    assert PRIMITIVES["select_n"].selector_operand == 0
    assert PRIMITIVES["dot_general"].contraction and PRIMITIVES["dot_general"].new_buffer
    # the cuda expression of integer_pow is wrong for integers to negative powers (NumPy
    # raises), that of convert_element_type for floats cast to integers (C's cast is
    # undefined out of range): kernels leave those equations out
    i64, f64 = np.dtype(np.int64), np.dtype(np.float64)
    ipow = PRIMITIVES["integer_pow"].cuda_fuses
    cast = PRIMITIVES["convert_element_type"].cuda_fuses
    av = aval_of
    assert ipow([av(np.int64(2))], av(np.int64(2)), y=3)
    assert not ipow([av(np.int64(2))], av(np.int64(2)), y=-1)
    assert cast([av(np.int64(2))], av(np.float64(2)), new_dtype=f64)
    assert not cast([av(np.float64(2))], av(np.int64(2)), new_dtype=i64)
    assert PRIMITIVES["sin"].cuda_fuses is None  # floats only, the default
