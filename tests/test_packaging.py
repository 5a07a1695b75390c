"""The wheel: its metadata (licence, version written once), the CUDA sources inside it as
package data (no symlink), found from an installed package. The sdist is checked by
``ci/sdist.sh`` (built, unpacked, installed, its tests run from the unpacked tree)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS = sorted(f for f in os.listdir(os.path.join(ROOT, "ftrans", "kernels"))
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


def test_kernels_are_real_files_not_a_symlink():
    # a symlink breaks Windows checkouts (git writes it as a text file holding the target)
    d = os.path.join(ROOT, "ftrans", "kernels")
    assert not os.path.islink(d) and not any(os.path.islink(os.path.join(d, f)) for f in KERNELS)
    assert "ft_math.cuh" in KERNELS


def test_wheel_metadata_has_the_licence_and_the_one_version(wheel):
    import email

    import ftrans
    z = zipfile.ZipFile(wheel)
    (meta,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
    msg = email.message_from_bytes(z.read(meta))
    assert msg["License-Expression"] == "MIT"
    assert msg["Version"] == ftrans.__version__
    assert "Programming Language :: Python :: 3 :: Only" in msg.get_all("Classifier")
    licence = [n for n in z.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    assert licence and b"MIT License" in z.read(licence[0])
    assert b"the ftrans developers" in z.read(licence[0])


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
