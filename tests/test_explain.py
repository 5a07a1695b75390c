"""Derivative tables, explain() and graph drawings: the tutorial reproduced, pytrees, errors."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.explain import draw, explain, forward_table, reverse_table, to_dot


def tutorial_f(x1, x2):  # the tutorial's program, one line per variable
    v1 = x1 / x2
    v2 = fnp.sin(v1)
    v3 = fnp.exp(x2)
    v4 = v1 - v3
    v5 = v2 + v4
    v6 = v5 * v4
    return v6


X = (1.5, 0.5)
# The tutorial's tables (autodiff-tutorial.md), with its corrected ∂f/∂v0 = -13.724.
PRIMALS = {"v-1": 1.500, "v0": 0.500, "v1": 3.000, "v2": 0.141, "v3": 1.649, "v4": 1.351,
           "v5": 1.492, "v6": 2.017}
TANGENTS_X1 = {"v-1": 1.000, "v0": 0.000, "v1": 2.000, "v2": -1.980, "v3": 0.000, "v4": 2.000,
               "v5": 0.020, "v6": 3.012}
ADJOINTS = {"v6": 1.000, "v5": 1.351, "v4": 2.844, "v3": -2.844, "v2": 1.351, "v1": 1.506,
            "v0": -13.724, "v-1": 3.012}


def r3(x) -> float:
    return round(float(x), 3)


def test_forward_table_reproduces_the_tutorial_row_by_row():
    t = forward_table(tutorial_f, X, (1.0, 0.0))
    assert [r.name for r in t.rows] == list(PRIMALS)
    for r in t.rows:
        assert r3(r.primal) == PRIMALS[r.name], r.name
        assert r3(r.derivative) == TANGENTS_X1[r.name], r.name
    assert t.lookup("x1").name == "v-1" and t.lookup("x2").name == "v0"
    assert r3(t.lookup("f").derivative) == 3.012  # ∂f/∂x1 = v̇6
    assert t.lookup("v1").equation == "div(v-1, v0)"
    assert t.lookup("v6").equation == "mul(v5, v4)"
    t2 = forward_table(tutorial_f, X, (0.0, 1.0))
    assert r3(t2.lookup("f").derivative) == -13.724


def test_reverse_table_reproduces_the_tutorial_row_by_row():
    t = reverse_table(tutorial_f, X)
    for r in t.rows:
        assert r3(r.primal) == PRIMALS[r.name], r.name
        assert r3(r.derivative) == ADJOINTS[r.name], r.name
    assert r3(t.lookup("x1").derivative) == 3.012   # x̄1 = v̄-1
    assert r3(t.lookup("x2").derivative) == -13.724  # x̄2 = v̄0, the corrected value
    assert r3(t.lookup("f").primal) == 2.017


def test_table_formats_and_data():
    t = reverse_table(tutorial_f, X)
    text = str(t).splitlines()
    assert text[0].split() == ["var", "equation", "primal", "adjoint"]
    assert text[4].split() == ["v1", "div(v-1,", "v0)", "3.000", "1.506"]
    md = t.markdown().splitlines()
    assert md[0] == "| var | equation | primal | adjoint |"
    assert "| v0 | x2 | 0.500 | -13.724 |" in md
    recs = t.to_records()
    assert recs[-1]["var"] == "v6" and recs[-1]["adjoint"] == 1.0
    assert t.as_dict()["v3"][1] == pytest.approx(-2.844, abs=1e-3)


def test_symbolic_zero_derivatives_are_arrays_in_data_and_0_in_text():
    t = reverse_table(lambda x, y: fnp.sum(x * 2.0), (np.ones(2), np.ones(3)))
    np.testing.assert_array_equal(t.as_dict()["v0"][1], np.zeros(3))  # y is unused
    assert str(t).splitlines()[3].split()[-1] == "0"


def loss(params, x):
    return fnp.sum(fnp.tanh(x @ params["w"] + params["b"]) ** 2)


PARAMS = {"w": np.linspace(-1, 1, 6).reshape(3, 2), "b": np.array([0.1, -0.2])}
XS = np.arange(6.0).reshape(2, 3) / 5


def test_tables_on_pytrees_label_leaves_and_match_grad():
    t = reverse_table(loss, (PARAMS, XS))
    g_params, g_x = ftrans.grad(loss, argnums=(0, 1))(PARAMS, XS)
    np.testing.assert_allclose(t.lookup("x1['w']").derivative, g_params["w"], rtol=1e-12)
    np.testing.assert_allclose(t.lookup("x1['b']").derivative, g_params["b"], rtol=1e-12)
    np.testing.assert_allclose(t.lookup("x2").derivative, g_x, rtol=1e-12)
    assert "float64[3, 2] [-1.000, -0.600, -0.200, ...]" in str(t)
    tangent = ({"w": np.ones((3, 2)), "b": np.zeros(2)}, np.zeros((2, 3)))
    ft = forward_table(loss, (PARAMS, XS), tangent)
    _, expected = ftrans.jvp(loss, (PARAMS, XS), tangent)
    assert ft.lookup("f").derivative == pytest.approx(expected, rel=1e-12)


def test_reverse_table_with_several_outputs_and_a_cotangent():
    def f(x):
        return {"s": fnp.sum(x), "p": x * x}
    x = np.array([1.0, 2.0])
    ct = {"s": 1.0, "p": np.array([1.0, 0.5])}
    t = reverse_table(f, (x,), ct)
    np.testing.assert_allclose(t.lookup("x1").derivative, ftrans.vjp(f, x)[1](ct)[0])


def test_table_errors_are_clear():
    with pytest.raises(TypeError, match="primals must be a tuple"):
        forward_table(loss, PARAMS, (PARAMS,))
    with pytest.raises(ValueError, match="tangents have structure"):
        forward_table(loss, (PARAMS, XS), (np.ones((3, 2)), XS))
    with pytest.raises(ValueError, match=r"the tangent of x1\['w'\].*shape \(2,\)"):
        forward_table(loss, (PARAMS, XS), ({"w": np.ones(2), "b": np.ones(2)}, XS))
    with pytest.raises(ValueError, match="not a scalar.*give a cotangent"):
        reverse_table(lambda x: x * 2.0, (np.ones(3),))
    with pytest.raises(ValueError, match="cotangent has structure"):
        reverse_table(lambda x: x * 2.0, (np.ones(3),), (np.ones(3), 1.0))
    with pytest.raises(ValueError, match="cotangent 0 has shape"):
        reverse_table(lambda x: x * 2.0, (np.ones(3),), np.ones(2))
    with pytest.raises(KeyError, match="no row named 'v9'"):
        reverse_table(tutorial_f, X).lookup("v9")


def test_explain_prints_jaxpr_tables_and_gradient():
    buf = io.StringIO()
    e = explain(tutorial_f, file=buf)(*X)
    text = buf.getvalue()
    assert text.startswith("The jaxpr of tutorial_f:\n\n{ lambda ; a:f64[] b:f64[]. let")
    assert "Forward mode, direction x1" in text and "Forward mode, direction x2" in text
    assert "Reverse mode, adjoint of f = 1" in text
    assert text.rstrip().endswith("Gradient:\n\n(3.012, -13.724)")
    assert e.gradient == pytest.approx((3.0118433276739, -13.7239615093141))
    assert len(e.forward) == 2 and e.reverse[1].lookup("x2").derivative == pytest.approx(
        -13.72396, abs=1e-5)
    assert "### Gradient" in e.markdown() and "| v6 | mul(v5, v4) |" in e.markdown()


def test_explain_on_pytrees_and_vector_outputs():
    e = explain(loss, file=None)(PARAMS, XS)
    assert [title for title, _ in e.forward] == ["Forward mode, tangent ones in every input"]
    np.testing.assert_allclose(e.gradient[0]["w"], ftrans.grad(loss)(PARAMS, XS)["w"])
    e2 = explain(lambda x: fnp.sin(x), file=None)(np.array([0.0, 1.0]))
    assert e2.reverse[0] == "Reverse mode, cotangent ones for every output"
    np.testing.assert_allclose(e2.gradient[0], np.cos([0.0, 1.0]))
    assert "Vector-Jacobian product" in str(e2)


def test_to_dot_draws_the_tutorial_graph():
    dot = to_dot(ftrans.make_jaxpr(tutorial_f)(*X))
    assert dot.startswith("digraph ftrans {")
    for label in ['"v-1 = x1\\nf64[]"', '"v0 = x2\\nf64[]"', '"v1 = div\\nf64[]"',
                  '"v6 = mul\\nf64[]"', '"f"']:
        assert f"label={label}" in dot
    # edges of the tutorial's figure: x1, x2 -> v1; v1 -> v2 and v4; v5, v4 -> v6 -> f
    for edge in ["p_in0 -> p_e0", "p_in1 -> p_e0", "p_e0 -> p_e1", "p_e0 -> p_e3",
                 "p_in1 -> p_e2", "p_e4 -> p_e5", "p_e3 -> p_e5", "p_e5 -> p_out0"]:
        assert edge in dot
    assert dot.count("->") == 11


def test_draw_shows_values_and_the_derivative_program(tmp_path):
    dot = draw(tutorial_f, *X, path=tmp_path / "g.dot", derivative=True)
    assert (tmp_path / "g.dot").read_text() == dot
    assert '"v1 = div\\n= 3.000"' in dot and "cluster_d" in dot
    assert 'label="∂f/∂x1\\n= 3.012"' in dot and 'label="∂f/∂x2\\n= -13.724"' in dot
    fwd = draw(tutorial_f, *X, derivative="fwd")
    assert "forward-mode derivative program" in fwd and 'label="ḟ"' in fwd
    assert "cluster_d" not in draw(tutorial_f, *X)


def _nodes_and_edges(dot: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """{node id: label} and [(tail, head, attributes)] of DOT text as ``to_dot`` writes it."""
    nodes = dict(re.findall(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M))
    edges = re.findall(r"^\s*(\w+) -> (\w+)(.*);$", dot, re.M)
    return {k: v.replace("\\n", "\n") for k, v in nodes.items()}, edges


def test_derivative_constants_name_the_primal_values_they_come_from():
    dot = draw(tutorial_f, *X, derivative=True)
    nodes, edges = _nodes_and_edges(dot)
    consts = {label.split("\n")[0]: label for n, label in nodes.items()
              if n.startswith("d_r") or n.startswith("d_c")}
    # residuals of the backward pass: primal values, and two local partial derivatives
    # (∂v2/∂v1 = cos(v1) = cos 3, ∂v1/∂v0 = -x1/x2² = -6), at the tutorial's values
    assert set(consts) == {"v0", "v3", "v4", "v5", "∂v2/∂v1", "∂v1/∂v0"}, consts
    for name in ("v0", "v3", "v4", "v5"):
        assert consts[name] == f"{name}\n= {PRIMALS[name]:.3f}"
    assert consts["∂v2/∂v1"] == f"∂v2/∂v1\n= {np.cos(3.0):.3f}"
    assert consts["∂v1/∂v0"] == "∂v1/∂v0\n= -6.000"
    assert not [lab for lab in nodes.values() if re.match(r"d\d+\n", lab)]  # no bare d0..d3
    # each is linked from the primal node it comes from: v5 from "v5 = add", ∂v2/∂v1 from v2
    for tail, head, attrs in edges:
        if head.startswith("d_r"):
            name = nodes[head].split("\n")[0]
            source = re.search(r"∂(v-?\d+)/", name).group(1) if "∂" in name else name
            assert tail.startswith("p_") and nodes[tail].startswith(source + " = "), (tail, head)
            assert "dashed" in attrs
    linked = {nodes[h].split("\n")[0] for t, h, _ in edges if h.startswith("d_r")}
    assert linked == set(consts)


def test_derivative_constants_of_array_programs_are_not_named_like_its_equations():
    x = np.array([0.5, 1.0, 2.0])
    dot = draw(lambda x: fnp.sum(fnp.tanh(x) * x), x, derivative=True)
    nodes, _ = _nodes_and_edges(dot)
    d_labels = [lab for n, lab in nodes.items() if n.startswith("d_")]
    assert sum(lab.startswith("d0 ") for lab in d_labels) == 1  # only the seed is d0
    consts = {lab.split("\n")[0]: lab.split("\n")[1] for n, lab in nodes.items()
              if n.startswith(("d_r", "d_c"))}
    assert set(consts) == {"v0", "v1", "∂v1/∂v0"}, consts
    t = np.tanh(x)
    assert consts["∂v1/∂v0"] == f"= float64[3] [{', '.join(f'{d:.3f}' for d in 1 - t * t)}]"
    assert consts["v1"] == f"= float64[3] [{', '.join(f'{d:.3f}' for d in t)}]"
    # the gradient: tanh(x) + x (1 - tanh²(x)), shown in the output node
    g = t + x * (1 - t * t)
    assert f"∂f/∂x1\n= float64[3] [{', '.join(f'{d:.3f}' for d in g)}]" in nodes.values()


def test_derivative_drawing_shows_the_gradient_values():
    nodes, edges = _nodes_and_edges(draw(tutorial_f, *X, derivative=True))
    assert nodes["d_in0"] == "d0 = f̄\n= 1.000"  # the seed, fed by the primal output
    assert ("p_out0", "d_in0") in [(t, h) for t, h, _ in edges]
    outs = {lab for n, lab in nodes.items() if re.fullmatch(r"d_out\d+", n)}
    assert outs == {"∂f/∂x1\n= 3.012", "∂f/∂x2\n= -13.724"}  # the tutorial's gradient
    equations = [lab for n, lab in nodes.items() if re.fullmatch(r"d_e\d+", n)]
    assert len(equations) >= 8 and all(re.search(r"\n= -?\d+\.\d{3}$", lab)
                                       for lab in equations)
    # the adjoint of v5 (the first product with the seed) is v4 = 1.351, as in the table
    assert any(lab.startswith("d") and lab.endswith(f"= {ADJOINTS['v5']:.3f}")
               for lab in equations)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_primal_program_reads_left_to_right_into_the_adjoint_program(tmp_path):
    svg = subprocess.run(["dot", "-Tsvg"], input=draw(tutorial_f, *X, derivative=True),
                         capture_output=True, text=True, check=True).stdout
    ns = "{http://www.w3.org/2000/svg}"
    x: dict[str, float] = {}  # node -> x coordinate of its text in the picture
    for g in ET.fromstring(svg).iter(ns + "g"):
        if g.get("class") == "node":
            x[g.find(ns + "title").text] = np.mean([float(t.get("x"))
                                                    for t in g.iter(ns + "text")])
    primal = [v for k, v in x.items() if k.startswith("p_")]
    adjoint = [v for k, v in x.items() if k.startswith("d_")]
    assert len(primal) == 9 and len(adjoint) > 15
    assert max(primal) < min(adjoint)  # every primal node left of every adjoint node
    assert x["p_in0"] < x["p_e0"] < x["p_e5"] < x["p_out0"] < x["d_in0"] < x["d_out0"]


def test_draw_renders_with_graphviz_or_says_what_is_missing(tmp_path, monkeypatch):
    path = tmp_path / "g.svg"
    if shutil.which("dot") is not None:
        draw(tutorial_f, *X, path=path, derivative=True)
        assert path.read_text().lstrip().startswith(("<?xml", "<svg"))
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(RuntimeError, match="needs Graphviz's `dot` program.*path ending in .dot"):
        draw(tutorial_f, *X, path=tmp_path / "h.png")


def test_draw_errors():
    with pytest.raises(ValueError, match="path must end in .dot, .gv, .svg, .png or .pdf"):
        draw(tutorial_f, *X, path="g.jpg")
    with pytest.raises(ValueError, match="derivative must be False, True, 'fwd' or 'rev'"):
        draw(tutorial_f, *X, derivative="both")
    with pytest.raises(TypeError, match="expected a Jaxpr or ClosedJaxpr"):
        to_dot(tutorial_f)


def test_explain_refuses_integer_inputs_clearly():
    with pytest.raises(TypeError, match=r"explain: argument 1 \('n'\) has dtype int64.*close "
                                        "over it"):
        explain(lambda x, n: x * n, file=None)(1.5, 2)
    with pytest.raises(TypeError, match="forward_table: argument 0 .*expected an array or a "
                                        "Python number, got str"):
        forward_table(lambda x: x, ("s",), (1.0,))
