"""The on-disk cache of fused C kernels, and the C compiler that fills it.

``load(src, flags)`` returns the C source ``src`` compiled and loaded (a ``ctypes.CDLL``),
or None: then the caller keeps its NumPy code. No failure reaches the caller as an
exception: each kind of failure gives one ``KernelCacheWarning`` per process, and after a
failure no kernel is tried for ``RETRY_AFTER_S`` seconds (a hanging compiler costs one
timeout, not one per kernel), then fusion resumes. Compiled kernels are kept on disk, so
later processes load them at once:

- **where**: ``$FTRANS_CACHE``, else ``$XDG_CACHE_HOME/ftrans``, else ``~/.cache/ftrans``,
  created with mode 0700. A directory that is a symbolic link, is owned by another user, is
  writable by group or others, is not a directory or cannot be created is not used: one
  warning, and this process uses a private temporary directory instead (removed at exit).
  So it does, for a while, when the cache cannot be written (read-only, disk full).
- **key**: a hash of the source, the flags, the compiler and the CPU target: the macros the
  compiler predefines under those flags (``-march=native``), which name its version and
  every instruction set extension it enables. A cache shared between machines never hands
  a kernel to a CPU that lacks its instructions.
- **entries** ``k_<key>.kernel``: a header (magic, size and SHA-256 of the shared object)
  followed by the shared object, written in one atomic rename. Before loading, an entry is
  opened without following symbolic links and must be a regular file owned by the user and
  not writable by group or others, with an intact header, the recorded size and digest and
  ELF magic. Anything else (planted, empty, truncated, corrupted) is removed (one warning)
  and rebuilt, never loaded. The verified bytes themselves are loaded, from a private copy:
  nothing can swap the file between the check and ``dlopen``.
- **builds** run in a fresh temporary directory inside the cache directory (the same file
  system: the final rename cannot fail with EXDEV); ones left behind by a killed process are
  removed after ``STALE_S`` seconds by the next process that opens the cache.
- **size bound**: ``$FTRANS_CACHE_SIZE`` bytes (suffix K, M or G; default 256M); when a new
  entry takes the cache over it, the least recently used entries are removed.
- **compiler**: ``$CC`` (default ``cc``), run in its own process group, killed with all its
  children after ``$FTRANS_COMPILE_TIMEOUT`` seconds (default 60) and when the interpreter
  exits. In a process forked while a compiler runs, the child forgets the parent's
  compilers (the parent still ends them).

The compiler is ``kernel_compiler.py``'s, the directory and its entries
``kernel_store.py``'s; this module puts them together. ``python -m ftrans.cache info`` /
``clear`` show and empty the cache (``ftrans/cache.py``).

>>> parse_size("64M") == 64 << 20
True
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from typing import Any, Sequence

from . import files, kernel_compiler, kernel_store
from .kernel_compiler import (  # noqa: F401  (re-exported)
    DEFAULT_TIMEOUT_S,
    BuildFailure,
    KernelCacheWarning,
    compile_timeout,
    compiler,
    cpu_target,
    kernel_key,
    run_compiler,
    warn_once,
    which,
)
from .kernel_store import (  # noqa: F401  (re-exported)
    _HEADER,
    DEFAULT_SIZE,
    DIR_FLAGS,
    ELF,
    MAGIC,
    MAX_ENTRY,
    STALE_S,
    Dir,
    WriteError,
    build_dir,
    configured_dir,
    entry_name,
    evict,
    is_stale,
    open_dir,
    pack,
    parse_size,
    read_entry,
    size_limit,
    unpack,
    usable_dirs,
)

RETRY_AFTER_S = 30.0      # after a failure, no kernel is tried for this long

# --- process state (reset in a forked child and by ``reset``)
_lock = threading.Lock()
_loaded: dict[str, ctypes.CDLL] = {}
_retry_at = [0.0]


def _after_fork_in_child() -> None:
    global _lock  # locks held by the parent's other threads at the fork are never released
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# --- building and loading

def _build(d: Dir, src: str, flags: Sequence[str], key: str, nice: bool) -> bytes:
    fd, tmp = d.descriptor(), build_dir(d)
    try:
        tfd = os.open(tmp, DIR_FLAGS, dir_fd=fd)
        try:
            try:
                files.write_file(tfd, "k.c", src.encode())
            except OSError as e:
                raise WriteError(e) from None
            base = os.path.join(d.path, tmp)
            run_compiler([*flags, os.path.join(base, "k.c"), "-o", os.path.join(base, "k.so"),
                          "-lm"], nice)
            try:
                so = files.read_file(tfd, "k.so", MAX_ENTRY)
            except FileNotFoundError:
                so = b""
            except OSError as e:
                raise BuildFailure("output", f"the C compiler's output {e}") from None
        finally:
            os.close(tfd)
        if not so.startswith(ELF):
            raise BuildFailure("output", f"the C compiler {compiler()!r} exited 0 without "
                                     f"writing a shared object")
        try:
            files.write_file(fd, entry_name(key), pack(so))
        except OSError as e:
            raise WriteError(e) from None
    finally:
        files.remove(fd, tmp)
    evict(fd)
    return so


def _dlopen(d: Dir, key: str, so: bytes) -> ctypes.CDLL:
    """Load the verified bytes ``so`` from a private copy (in a fresh directory inside
    ``d``, removed once loaded: the mapping stays)."""
    fd, tmp = d.descriptor(), build_dir(d)
    try:
        tfd = os.open(tmp, DIR_FLAGS, dir_fd=fd)
        try:
            name = f"k_{key}.so"
            try:
                files.write_file(tfd, name, so)
            except OSError as e:
                raise WriteError(e) from None
            proc = f"/proc/self/fd/{tfd}"  # the directory we hold, whatever its path now
            where = proc if os.path.isdir(proc) else os.path.join(d.path, tmp)
            try:
                return ctypes.CDLL(os.path.join(where, name))
            except OSError as e:
                raise BuildFailure("load", f"a compiled kernel cannot be loaded from {d.path} "
                                       f"({e})") from None
        finally:
            os.close(tfd)
    finally:
        files.remove(fd, tmp)


# --- the one entry point

def load(src: str, flags: Sequence[str], nice: bool = False) -> ctypes.CDLL | None:
    """``src`` compiled with ``flags`` and loaded, from the cache or built now; None when
    that fails (one warning per kind of failure; see the module doc). ``nice``: run the
    compiler at a lower priority.

    >>> lib = load("void k(long n, double *x) { x[0] = n; }", ["-O2", "-shared", "-fPIC"])
    >>> lib is None or hasattr(lib, "k")
    True
    """
    if time.monotonic() < _retry_at[0]:
        return None
    try:
        key = kernel_key(src, flags)
        with _lock:
            lib = _loaded.get(key)
        if lib is None:
            lib = _find_or_build(src, flags, key, nice)
            with _lock:
                lib = _loaded.setdefault(key, lib)
        return lib
    except BuildFailure as e:
        message, kind = str(e), e.kind
    except Exception as e:  # noqa: BLE001 - the NumPy code runs instead
        message, kind = f"{type(e).__name__}: {e}", f"error:{type(e).__name__}"
    _retry_at[0] = time.monotonic() + RETRY_AFTER_S
    if kind != "exit":
        warn_once(kind, f"fused C kernels unavailable: {message}; using the NumPy code "
                        f"(tried again in {RETRY_AFTER_S:g} s)")
    return None


def _find_or_build(src: str, flags: Sequence[str], key: str, nice: bool) -> ctypes.CDLL:
    failed: tuple[Dir, WriteError] | None = None  # the cache could not be written
    while True:
        look, out = usable_dirs(avoid_primary=failed is not None)
        so = None
        for d in look:
            so = read_entry(d, key)
            if so is not None:
                break
        try:
            if so is None:
                so = _build(out, src, flags, key, nice)
            lib = _dlopen(out, key, so)
        except WriteError as e:
            if failed is not None or out.temporary:
                where = f"the kernel cache {failed[0].path} ({failed[1]}) nor into " \
                    if failed is not None else ""
                raise BuildFailure("write", f"cannot write into {where}the temporary directory "
                                        f"{out.path} ({e})") from None
            failed = (out, e)
            out.unwritable_until = time.monotonic() + RETRY_AFTER_S
            continue
        if failed is not None:
            warn_once(f"write:{failed[0].path}",
                      f"cannot write into the kernel cache {failed[0].path} ({failed[1]}); "
                      f"using a private temporary directory for now")
        return lib


# --- for ``python -m ftrans.cache`` and tests

def info(path: str | None = None) -> dict:
    """What the kernel cache at ``path`` (default ``configured_dir()``) holds: whether it is
    used (``problem``: None, else why not), its kernels and their bytes, files left by older
    versions (``old``, never loaded), leftover build files (``stale``), the size bound and
    the compile timeout. Creates nothing.

    >>> import tempfile
    >>> i = info(tempfile.mkdtemp()); i["problem"], i["kernels"], i["bytes"]
    (None, 0, 0)
    """
    path = os.path.abspath(path or configured_dir())
    out: dict[str, Any] = {"directory": path, "problem": None, "kernels": 0, "bytes": 0,
                           "old": 0, "stale": 0, "size_limit": size_limit(),
                           "compile_timeout_s": compile_timeout()}
    if not os.path.lexists(path):
        return out  # not created yet: nothing cached
    d = open_dir(path, create=False)
    if d.fd is None:
        out["problem"] = f"it {d.reason}"
        return out
    try:
        with os.scandir(d.fd) as it:
            for e in it:
                if e.name.startswith("k_"):
                    kind = "kernels" if e.name.endswith(".kernel") else "old"
                    out[kind] += 1
                    out["bytes"] += e.stat(follow_symlinks=False).st_size
                elif is_stale(e.name):
                    out["stale"] += 1
    finally:
        os.close(d.fd)
    return out


def clear(path: str | None = None) -> int:
    """Remove every entry and leftover build file from the kernel cache at ``path``
    (default ``configured_dir()``; the directory itself stays); returns how many were
    removed. A directory that may not be used is left alone (``UnsafePathError``).

    >>> import tempfile
    >>> clear(tempfile.mkdtemp())
    0
    """
    path = os.path.abspath(path or configured_dir())
    if not os.path.lexists(path):
        return 0
    fd = files.open_private_dir(path, create=False)
    try:
        names = [n for n in os.listdir(fd) if n.startswith("k_") or is_stale(n)]
        for n in names:
            files.remove(fd, n)
    finally:
        os.close(fd)
    reset()
    return len(names)


def reset() -> None:
    """Forget what this process learned: failures and warnings given, CPU targets,
    directories checked, kernels loaded (the next ``load`` looks on disk again).

    >>> reset()
    """
    with _lock:
        _loaded.clear()
        _retry_at[0] = 0.0
    kernel_compiler.reset()
    kernel_store.reset()
