"""The fused C kernel cache is a trust boundary (issue 12 §4): what is written, where, with
which permissions, and what is checked before a kernel is loaded into the process.

Every test has its own cache directory (``FTRANS_CACHE`` under ``tmp_path``); nothing here
depends on ``$HOME`` or on ``/tmp`` being a particular file system. Ownership checks run for
real when the tests run as root (a directory or file is given to another uid with
``os.chown``); otherwise the "expected owner" is replaced (``files.owner``), or the
sub-case that needs a foreign file is skipped.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

import ftrans
import ftrans.numpy as fnp
from ftrans.backends import cfuse, files, kernel_cache
from ftrans.backends.kernel_cache import KernelCacheWarning, entry_name, kernel_key, pack, unpack

REAL_CC = shutil.which(kernel_cache.compiler())
pytestmark = pytest.mark.skipif(REAL_CC is None or not cfuse.available(),
                                reason="no working C compiler")
ROOT = os.geteuid() == 0
BASE = "void k(long n, double *x) { for (long j = 0; j < n; j++) x[j] = 2 * x[j] + 1; }\n"


def source(tag: str) -> str:
    """A kernel source of its own (a comment changes the key)."""
    return f"/* {tag} */\n{BASE}"


def run_kernel(src: str) -> np.ndarray | None:
    fn = cfuse.load_kernel(src, 2)
    if fn is None:
        return None
    x = np.arange(4.0)
    fn(4, x.ctypes.data)
    return x


RESULT = np.array([1.0, 3.0, 5.0, 7.0])


def entry(cache, src: str):
    return cache / entry_name(kernel_key(src, cfuse.FLAGS))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("FTRANS_CACHE", str(d))
    for var in ("FTRANS_CACHE_SIZE", "FTRANS_COMPILE_TIMEOUT", "FTRANS_CFUSE"):
        monkeypatch.delenv(var, raising=False)
    kernel_cache.reset()
    yield d
    kernel_cache.reset()


def caught(fn, *args):
    """(fn(*args), the KernelCacheWarnings it gave)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn(*args)
    return out, [str(x.message) for x in w if issubclass(x.category, KernelCacheWarning)]


def fake_cc(tmp_path, body: str, name: str = "fakecc") -> str:
    """A compiler script: ``body`` runs for every call but the macro probe (``-dM``),
    which the real compiler answers."""
    path = tmp_path / name
    path.write_text(f'#!/bin/sh\ncase " $* " in *" -dM "*) exec {REAL_CC} "$@";; esac\n'
                    f"{body}\n")
    path.chmod(0o755)
    return str(path)


def cached_files(d) -> list[str]:
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


# --- the directory

def test_directory_and_entries_are_private_under_umask_002(cache):
    old = os.umask(0o002)
    try:
        assert np.array_equal(run_kernel(source("umask")), RESULT)
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    (name,) = cached_files(cache)
    assert name.endswith(".kernel")
    assert stat.S_IMODE((cache / name).stat().st_mode) == 0o600


def test_cache_reused_across_processes_without_rebuilding(cache, tmp_path, monkeypatch):
    log = tmp_path / "calls"
    monkeypatch.setenv("CC", fake_cc(tmp_path, f'echo x >> {log}\nexec {REAL_CC} "$@"'))
    src = source("reuse")
    assert np.array_equal(run_kernel(src), RESULT)
    kernel_cache.reset()  # as a new process would: looks on disk, verifies, loads
    assert np.array_equal(run_kernel(src), RESULT)
    assert log.read_text().count("x") == 1


def test_symlinked_cache_directory_is_not_used(cache, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    cache.symlink_to(target)
    out, warned = caught(run_kernel, source("symlink"))
    assert np.array_equal(out, RESULT)  # a private temporary directory took its place
    assert len(warned) == 1 and "is a symbolic link" in warned[0]
    assert cached_files(target) == []


@pytest.mark.parametrize("mode", [0o1777, 0o777, 0o775, 0o770, 0o702])
def test_directory_writable_by_others_is_not_used(cache, mode):
    cache.mkdir()
    cache.chmod(mode)
    out, warned = caught(run_kernel, source(f"mode{mode}"))
    assert np.array_equal(out, RESULT)
    assert len(warned) == 1 and "is writable by" in warned[0] and f"{mode:04o}" in warned[0]
    assert cached_files(cache) == []


def test_directory_of_another_user_is_not_used(cache, monkeypatch):
    cache.mkdir(mode=0o700)
    if ROOT:
        os.chown(cache, 12345, 12345)
        out, warned = caught(run_kernel, source("foreign"))
        assert np.array_equal(out, RESULT)  # the private temporary directory is root's
        assert len(warned) == 1
    else:  # everything looks foreign: no directory at all, NumPy code, no exception
        monkeypatch.setattr(files, "owner", lambda: os.geteuid() + 1)
        out, warned = caught(run_kernel, source("foreign"))
        assert out is None and len(warned) == 2
    assert "is owned by uid" in warned[0]
    assert cached_files(cache) == []


def test_ftrans_cache_naming_a_file(cache):
    cache.write_text("not a directory")
    out, warned = caught(run_kernel, source("file"))
    assert np.array_equal(out, RESULT)
    assert len(warned) == 1 and "is not a directory" in warned[0]
    assert cache.read_text() == "not a directory"


def test_unwritable_home(cache, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.write_text("")  # ~/.cache cannot be created below a file
    monkeypatch.delenv("FTRANS_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    out, warned = caught(run_kernel, source("home"))
    assert np.array_equal(out, RESULT)
    assert len(warned) == 1 and str(home) in warned[0]


def test_read_only_cache_loads_its_kernels_and_builds_elsewhere(cache, monkeypatch):
    old = source("ro-old")
    assert np.array_equal(run_kernel(old), RESULT)
    kept = cached_files(cache)
    kernel_cache.reset()
    cache.chmod(0o500)
    if ROOT:  # root writes anywhere: make the directory refuse writes like a read-only mount
        real_mkdir = os.mkdir
        fd_of = os.open(cache, os.O_RDONLY | os.O_DIRECTORY)
        st = os.fstat(fd_of)
        os.close(fd_of)

        def mkdir(path, mode=0o777, *, dir_fd=None):
            if dir_fd is not None and (os.fstat(dir_fd).st_ino, os.fstat(dir_fd).st_dev) == \
                    (st.st_ino, st.st_dev):
                raise OSError(errno.EROFS, "Read-only file system")
            return real_mkdir(path, mode, dir_fd=dir_fd)
        monkeypatch.setattr(os, "mkdir", mkdir)
    try:
        out, warned = caught(lambda: [run_kernel(old), run_kernel(source("ro-new"))])
    finally:
        cache.chmod(0o700)
    assert all(np.array_equal(o, RESULT) for o in out)
    assert len(warned) == 1 and "cannot write into the kernel cache" in warned[0]
    assert cached_files(cache) == kept


def test_full_disk_falls_back_once_and_fusion_resumes(cache, monkeypatch):
    monkeypatch.setattr(kernel_cache, "RETRY_AFTER_S", 0.0)

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(files, "_write_all", full)
    x = np.linspace(-1, 1, 4000)
    f = ftrans.jit(lambda x: fnp.sin(x) * fnp.cos(x) + 1.0, backend="numpy+c")
    out, warned = caught(f, x)
    np.testing.assert_allclose(out, np.sin(x) * np.cos(x) + 1.0, rtol=1e-14)
    assert "ctypes.data" not in f.source(x)  # NumPy code, no exception
    assert len(warned) == 1 and "No space left" in warned[0]
    monkeypatch.undo()  # the disk has room again: the next program fuses
    monkeypatch.setenv("FTRANS_CACHE", str(cache))
    g = ftrans.jit(lambda x: fnp.sin(x) * fnp.cos(x) + 2.0, backend="numpy+c")
    np.testing.assert_allclose(g(x), np.sin(x) * np.cos(x) + 2.0, rtol=1e-14)
    assert "ctypes.data" in g.source(x)


# --- the entries

@pytest.fixture(scope="module")
def planted_so(tmp_path_factory):
    """A shared object whose constructor writes a marker file when it is loaded."""
    d = tmp_path_factory.mktemp("planted")
    marker = d / "LOADED"
    c = d / "evil.c"
    c.write_text('#include <stdio.h>\n__attribute__((constructor)) static void planted(void)'
                 f' {{ FILE *f = fopen("{marker}", "w"); if (f) fclose(f); }}\n'
                 "void k(long n, double *x) { x[0] = 666; }\n")
    so = d / "evil.so"
    subprocess.run([REAL_CC, "-shared", "-fPIC", str(c), "-o", str(so)], check=True)
    probe = subprocess.run([sys.executable, "-c", f"import ctypes; ctypes.CDLL({str(so)!r})"])
    assert probe.returncode == 0 and marker.exists()  # loading it would be seen
    marker.unlink()
    return so.read_bytes(), marker


@pytest.mark.parametrize("how", ["raw", "symlink", "group-writable", "world-writable",
                                 "foreign-owner", "fifo", "directory"])
def test_planted_kernels_are_never_loaded(cache, tmp_path, planted_so, how):
    so, marker = planted_so
    src = source(f"planted-{how}")
    cache.mkdir(mode=0o700)
    path = entry(cache, src)
    if how == "raw":
        path.write_bytes(so)
    elif how == "symlink":  # a valid entry, but reached through a link
        (tmp_path / "outside.kernel").write_bytes(pack(so))
        path.symlink_to(tmp_path / "outside.kernel")
    elif how in ("group-writable", "world-writable"):
        path.write_bytes(pack(so))
        path.chmod(0o660 if how == "group-writable" else 0o646)
    elif how == "foreign-owner":
        if not ROOT:
            pytest.skip("giving a file to another user needs root")
        path.write_bytes(pack(so))
        path.chmod(0o644)
        os.chown(path, 12345, 12345)
    elif how == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    out, warned = caught(run_kernel, src)
    assert np.array_equal(out, RESULT)  # rebuilt, and the rebuilt kernel is what runs
    assert not marker.exists()
    assert len(warned) == 1 and "removed the cached kernel" in warned[0]
    assert path.is_file() and not path.is_symlink()
    assert unpack(path.read_bytes())[1] is None
    assert (tmp_path / "outside.kernel").exists() or how != "symlink"


@pytest.mark.parametrize("damage, reason", [
    ("truncate", "truncated"), ("empty", "is empty"), ("flip", "SHA-256"),
    ("not-elf", "not an ELF"), ("no-header", "no ftrans kernel header"), ("pad", "truncated")])
def test_damaged_entries_are_removed_and_rebuilt(cache, damage, reason):
    src = source(f"damaged-{damage}")
    assert np.array_equal(run_kernel(src), RESULT)
    path = entry(cache, src)
    data = path.read_bytes()
    damaged = {"truncate": data[:len(data) // 2], "empty": b"",
               "flip": data[:-100] + bytes([data[-100] ^ 1]) + data[-99:],
               "not-elf": pack(b"#!/bin/sh\necho not a kernel\n"),
               "no-header": data[kernel_cache._HEADER.size:], "pad": data + b"\0" * 64}[damage]
    path.write_bytes(damaged)
    kernel_cache.reset()  # a new process
    out, warned = caught(run_kernel, src)
    assert np.array_equal(out, RESULT)
    assert len(warned) == 1 and reason in warned[0]
    assert unpack(path.read_bytes())[1] is None


def test_truncated_entry_does_not_crash_a_new_process(cache):
    src = source("sigbus")
    run_kernel(src)
    path = entry(cache, src)
    path.write_bytes(path.read_bytes()[:3000])
    code = ("import numpy as np, warnings; warnings.simplefilter('ignore')\n"
            "from ftrans.backends import cfuse\n"
            f"fn = cfuse.load_kernel({src!r}, 2); x = np.arange(4.0); fn(4, x.ctypes.data)\n"
            "print(x.tolist())")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, FTRANS_CACHE=str(cache)), timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[1.0, 3.0, 5.0, 7.0]"


# --- builds

def test_builds_happen_inside_the_cache_directory(cache, tmp_path, monkeypatch):
    # the compiler writes into the cache's file system, so the final rename cannot fail
    # with EXDEV whatever TMPDIR is (a tmpfs /tmp used to leave nothing cached)
    log = tmp_path / "args"
    monkeypatch.setenv("CC", fake_cc(tmp_path, f'echo "$@" >> {log}\nexec {REAL_CC} "$@"'))
    other = tmp_path / "tmpdir"
    other.mkdir()
    monkeypatch.setenv("TMPDIR", str(other))
    monkeypatch.setattr("tempfile.tempdir", str(other))
    assert np.array_equal(run_kernel(source("exdev")), RESULT)
    args = log.read_text().split()
    out = args[args.index("-o") + 1]
    assert os.path.dirname(os.path.dirname(out)) == str(cache)
    assert cached_files(other) == [] and len(cached_files(cache)) == 1


def test_builds_on_another_file_system_than_tmp(cache, tmp_path, monkeypatch):
    shm = "/dev/shm"
    if not os.path.isdir(shm) or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system to put TMPDIR on")
    other = files.private_temp_dir("ftrans-test-")
    other = shutil.move(other, os.path.join(shm, os.path.basename(other)))
    try:
        monkeypatch.setattr("tempfile.tempdir", other)
        monkeypatch.setenv("TMPDIR", other)
        assert np.array_equal(run_kernel(source("tmpfs")), RESULT)
        assert len(cached_files(cache)) == 1
    finally:
        shutil.rmtree(other, ignore_errors=True)


def test_stale_build_directories_are_removed_later(cache):
    cache.mkdir(mode=0o700)
    old, fresh = cache / ".tmp-1-dead", cache / ".tmp-2-busy"
    for d in (old, fresh):
        d.mkdir()
        (d / "k.c").write_text("/* half built */")
    half = cache / ".k_abc.kernel.1.dead.tmp"
    half.write_bytes(b"partial")
    long_ago = time.time() - 2 * kernel_cache.STALE_S
    for p in (old / "k.c", old, half):
        os.utime(p, (long_ago, long_ago))
    assert kernel_cache.info(str(cache))["stale"] == 3
    assert np.array_equal(run_kernel(source("stale")), RESULT)
    assert not old.exists() and not half.exists() and fresh.exists()


def test_compiler_exiting_0_without_output(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("CC", fake_cc(tmp_path, "exit 0"))
    x = np.linspace(-1, 1, 4000)
    f = ftrans.jit(lambda x: fnp.exp(x) * 3.0 - x, backend="numpy+c")
    out, warned = caught(f, x)
    np.testing.assert_allclose(out, np.exp(x) * 3.0 - x, rtol=1e-14)
    assert len(warned) == 1 and "exited 0 without writing a shared object" in warned[0]
    assert [n for n in cached_files(cache) if not n.startswith(".")] == []


def test_failing_compiler_warns_once_and_a_later_success_fuses(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(kernel_cache, "RETRY_AFTER_S", 0.0)
    once = tmp_path / "failed-once"
    monkeypatch.setenv("CC", fake_cc(tmp_path, f'if [ ! -e {once} ]; then touch {once}; '
                                               f'echo "boom: internal error" >&2; exit 1; fi\n'
                                               f'exec {REAL_CC} "$@"'))
    out, warned = caught(run_kernel, source("fail-1"))
    assert out is None and len(warned) == 1
    assert "exit status 1" in warned[0] and "boom: internal error" in warned[0]
    out, warned = caught(run_kernel, source("fail-2"))  # not disabled for good
    assert np.array_equal(out, RESULT) and warned == []


def test_after_a_failure_kernels_wait_before_the_next_try(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("CC", fake_cc(tmp_path, "exit 1"))
    assert caught(run_kernel, source("wait-1"))[0] is None
    monkeypatch.setenv("CC", REAL_CC)  # would work now, but not before RETRY_AFTER_S
    assert caught(run_kernel, source("wait-2")) == (None, [])
    monkeypatch.setattr(kernel_cache, "_retry_at", [0.0])
    assert np.array_equal(run_kernel(source("wait-2")), RESULT)


# --- the key

def test_key_follows_the_cpu_target(cache, tmp_path, monkeypatch):
    # a compiler whose -march=native enables one more extension (seen in its macros) gets
    # other kernels: a cache shared between machines never hands one to the wrong CPU
    log = tmp_path / "compiles"
    monkeypatch.setenv("CC", fake_cc(tmp_path, f'echo x >> {log}\nexec {REAL_CC} "$@"'))
    src = source("target")
    assert np.array_equal(run_kernel(src), RESULT)
    first = cached_files(cache)
    cc = tmp_path / "cc-newer-cpu"
    cc.write_text(f'#!/bin/sh\necho x >> {log}\nexec {REAL_CC} -D__FTRANS_TEST_EXTENSION__=1'
                  ' "$@"\n')
    cc.chmod(0o755)
    shutil.copy(cc, tmp_path / "fakecc")  # same compiler path, other target
    kernel_cache.reset()
    assert np.array_equal(run_kernel(src), RESULT)
    assert len(cached_files(cache)) == 2 and set(first) < set(cached_files(cache))
    assert log.read_text().count("x") == 3  # a build, then the new target's probe + build


def test_key_names_the_compiler_target_macros(cache):
    t = kernel_cache.cpu_target(cfuse.FLAGS)
    assert len(t) == 64 and t != kernel_cache.cpu_target(["-O0"])


# --- size bound

def test_least_recently_used_entries_are_evicted(cache, monkeypatch):
    srcs = [source(f"lru-{i}") for i in range(4)]
    for s in srcs[:3]:
        run_kernel(s)
    paths = [entry(cache, s) for s in srcs]
    for p, age in zip(paths[:3], (300, 100, 200)):  # entry 0 least recently used
        t = time.time() - age
        os.utime(p, (t, t))
    kernel_cache.reset()
    run_kernel(srcs[2])  # a hit makes it the most recently used
    assert paths[2].stat().st_mtime > time.time() - 60
    size = paths[0].stat().st_size
    monkeypatch.setenv("FTRANS_CACHE_SIZE", str(int(3.3 * size)))
    run_kernel(srcs[3])
    left = [p.exists() for p in paths]
    assert left == [False, False, True, True]
    assert sum(p.stat().st_size for p in paths if p.exists()) <= 3.3 * size


@pytest.mark.parametrize("text, value", [("1000", 1000), ("64K", 64 << 10), ("2M", 2 << 20),
                                         ("1g", 1 << 30), ("1.5KiB", 1536)])
def test_size_bound_parsing(text, value):
    assert kernel_cache.parse_size(text) == value


def test_bad_settings_warn_and_use_defaults(monkeypatch):
    kernel_cache.reset()
    monkeypatch.setenv("FTRANS_CACHE_SIZE", "lots")
    monkeypatch.setenv("FTRANS_COMPILE_TIMEOUT", "-3")
    (size, timeout), warned = caught(lambda: (kernel_cache.size_limit(),
                                              kernel_cache.compile_timeout()))
    assert (size, timeout) == (kernel_cache.DEFAULT_SIZE, kernel_cache.DEFAULT_TIMEOUT_S)
    assert len(warned) == 2 and "'lots'" in warned[0] and "'-3'" in warned[1]
    kernel_cache.reset()


# --- python -m ftrans.cache

def test_cache_command_info_and_clear(cache, tmp_path):
    run_kernel(source("cmd-1"))
    run_kernel(source("cmd-2"))
    env = dict(os.environ, FTRANS_CACHE=str(cache))
    info = subprocess.run([sys.executable, "-m", "ftrans.cache", "info"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert info.returncode == 0 and f"kernel cache: {cache}" in info.stdout
    assert "2 kernels" in info.stdout
    clear = subprocess.run([sys.executable, "-m", "ftrans.cache", "clear"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert clear.returncode == 0 and "removed 2 files" in clear.stdout
    assert cached_files(cache) == []


def test_cache_command_refuses_an_unsafe_directory(tmp_path, capsys):
    from ftrans import cache as command
    d = tmp_path / "shared"
    d.mkdir()
    d.chmod(0o1777)
    (d / "k_someone_elses.kernel").write_bytes(b"x")
    assert command.main(["info", str(d)]) == 0
    assert "not used: it is writable by group and others (mode 1777)" in capsys.readouterr().out
    assert command.main(["clear", str(d)]) == 1
    assert "not cleared" in capsys.readouterr().out
    assert (d / "k_someone_elses.kernel").exists()
