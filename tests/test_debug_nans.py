"""ftrans.config.debug_nans: the first NaN or inf names its primitive, line and pass."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans import config

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's, for planted NaNs


@pytest.fixture
def debug_nans():
    config.debug_nans = True
    yield
    config.debug_nans = False


def test_off_by_default_and_nans_pass_through():
    assert config.debug_nans is False
    with np.errstate(all="ignore"):
        assert np.isnan(ftrans.grad(fnp.sqrt)(-1.0))


def test_forward_pass_nan_names_primitive_and_line(debug_nans):
    def f(x):
        y = fnp.sin(x)
        return fnp.log(y - 2.0)  # planted: log of a negative number
    with pytest.raises(FloatingPointError) as e:
        ftrans.grad(f)(0.5)
    msg = str(e.value)
    assert "primitive 'log' produced nan in the forward pass" in msg
    assert f"test_debug_nans.py:{f.__code__.co_firstlineno + 2} (in f)" in msg


def test_backward_pass_nan_names_primitive_and_pass(debug_nans):
    # forward: x * 0.0 is fine; backward: the cotangent inf times 0.0 is nan in mul's transpose
    _, f_vjp = ftrans.vjp(lambda x: x * 0.0, 1.0)
    with pytest.raises(FloatingPointError, match="the transpose rule of primitive 'mul' "
                                                 "produced nan in the backward pass"):
        f_vjp(np.inf)


def test_backward_pass_inf_under_grad(debug_nans):
    # forward values stay finite (1e-100, 1e100); the gradient 1e400 overflows going back
    with pytest.raises(FloatingPointError, match="'mul' produced inf in the backward pass at "
                                                 ".*test_debug_nans.py"):
        ftrans.grad(lambda x: 1e200 * (1e200 * x))(1e-300)


def test_forward_mode_tangent_inf_is_a_forward_pass_error(debug_nans):
    with pytest.raises(FloatingPointError, match="the jvp rule of primitive 'sqrt' produced "
                                                 "inf in the forward pass"):
        ftrans.jvp(fnp.sqrt, (0.0,), (1.0,))


def test_arrays_report_how_many_entries(debug_nans):
    with pytest.raises(FloatingPointError, match="'div' produced inf .*1 of its 3 entries"):
        ftrans.grad(lambda x: fnp.sum(1.0 / x))(np.array([1.0, 0.0, 2.0]))


def test_finite_programs_are_unaffected(debug_nans):
    assert ftrans.grad(lambda x: fnp.sum(fnp.sin(x) ** 2))(np.ones(3)) == pytest.approx(
        np.sin(2.0) * np.ones(3))
    with config.debugging_nans(False):
        assert config.debug_nans is False
    assert config.debug_nans is True


def test_update_and_unknown_option():
    config.update("debug_nans", True)
    try:
        assert config.debug_nans is True
    finally:
        config.update("debug_nans", False)
    with pytest.raises(AttributeError, match="unknown option 'debug_infs'"):
        config.update("debug_infs", True)


def test_environment_variable_switches_it_on():
    code = ("import ftrans, ftrans.numpy as fnp\n"
            "print(ftrans.config.debug_nans)\n"
            "try:\n    ftrans.grad(fnp.log)(-1.0)\n"
            "except FloatingPointError as e:\n    print('raised', 'log' in str(e))\n")
    env = dict(os.environ, FTRANS_DEBUG_NANS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "raised", "True"]
