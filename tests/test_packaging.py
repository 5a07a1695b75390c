"""The CUDA sources ship inside the wheel and are found from an installed package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS = sorted(f for f in os.listdir(os.path.join(ROOT, "kernels"))
                 if f.endswith((".cuh", ".cu", ".cpp")))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    if not os.path.exists(os.path.join(ROOT, "pyproject.toml")):
        pytest.skip("not run from a source checkout")
    out = tmp_path_factory.mktemp("dist")
    src = tmp_path_factory.mktemp("src") / "ftrans"
    # build from a copy, so the checkout gets no build/ or egg-info
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv*", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache"))
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(src),
                          "-w", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    (path,) = [p for p in out.iterdir() if p.suffix == ".whl"]
    return path


def test_wheel_contains_the_kernels(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for f in KERNELS:
        assert f"ftrans/kernels/{f}" in names, names


def test_installed_package_finds_and_uses_them(wheel, tmp_path):
    target = tmp_path / "site"
    res = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                          "--target", str(target), str(wheel)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    code = (
        "import ftrans, numpy as np, ftrans.numpy as fnp\n"
        "from ftrans.backends import cuda_codegen as cg\n"
        f"assert ftrans.__file__.startswith({str(target)!r}), ftrans.__file__\n"
        f"assert cg.kernels_dir().startswith({str(target)!r}), cg.kernels_dir()\n"
        "cj = ftrans.make_jaxpr(lambda x: fnp.sum(fnp.sin(x) * x))(np.ones(8))\n"
        "(g,) = cg.plan_jaxpr(cj.jaxpr).groups\n"
        "assert 'ft_logistic' in g.kernel_source() and 'ft_partial' in g.kernel_source()\n"
        "print('ok')\n")
    env = dict(os.environ, PYTHONPATH=str(target))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=str(tmp_path))
    assert res.stdout.strip() == "ok", res.stderr[-3000:]
