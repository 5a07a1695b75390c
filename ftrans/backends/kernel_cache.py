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

``python -m ftrans.cache info`` / ``clear`` show and empty the cache (``ftrans/cache.py``).

>>> parse_size("64M") == 64 << 20
True
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import math
import os
import platform
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Sequence

from ..errors import DocumentedError
from . import files

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_SIZE = 256 << 20
STALE_S = 3600.0          # a build directory older than this belongs to a dead process
RETRY_AFTER_S = 30.0      # after a failure, no kernel is tried for this long
MAX_ENTRY = 64 << 20      # larger entries are not read

MAGIC = b"ftrans-kernel-1\n"
_HEADER = struct.Struct("<16sQ32s")  # magic, size of the shared object, its SHA-256
_ELF = b"\x7fELF"


class KernelCacheWarning(DocumentedError, RuntimeWarning):
    """A fused C kernel could not be built, stored or loaded (the NumPy code runs), or the
    kernel cache directory was not used.

    >>> issubclass(KernelCacheWarning, RuntimeWarning)
    True
    """


class _Failure(Exception):
    """No kernel this time; ``kind`` groups failures for the one-warning rule."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _WriteError(Exception):
    """A directory could not be written (read-only, full, permissions)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))


@dataclass
class _Dir:
    path: str
    fd: int | None                # None: not used (``reason`` says why)
    temporary: bool = False
    reason: str = ""
    unwritable_until: float = 0.0
    cleaned: bool = False
    pid: int = field(default_factory=os.getpid)  # the process that opened (or made) it


# --- process state (reset in a forked child and by ``reset``)
_lock = threading.Lock()
_warned: set[str] = set()
_loaded: dict[str, ctypes.CDLL] = {}
_targets: dict[tuple, str] = {}
_dirs: dict[str, _Dir] = {}        # configured path -> what was found there
_temp: list[_Dir] = []             # this process's private fallback directory
_retry_at = [0.0]
_procs: set[subprocess.Popen] = set()
_closing = [False]
_found: dict[str, str | None] = {}  # program -> its path (shutil.which), looked up once


def which(program: str) -> str | None:
    """``shutil.which(program)``, looked up once per process.

    >>> which("/nonexistent/cc") is None
    True
    """
    if program not in _found:
        _found[program] = shutil.which(program)
    return _found[program]


def compiler() -> str:
    """The C compiler: ``$CC``, else ``cc``.

    >>> isinstance(compiler(), str)
    True
    """
    return os.environ.get("CC") or "cc"


def configured_dir() -> str:
    """The kernel cache directory asked for: ``$FTRANS_CACHE``, else
    ``$XDG_CACHE_HOME/ftrans``, else ``~/.cache/ftrans`` (used only if it passes the checks
    of the module doc).

    >>> os.path.isabs(configured_dir())
    True
    """
    d = os.environ.get("FTRANS_CACHE")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                 ".cache")
        d = os.path.join(base, "ftrans")
    return os.path.abspath(os.path.expanduser(d))


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional suffix K, M or G (powers of 1024).

    >>> parse_size("1.5K"), parse_size("1000")
    (1536, 1000)
    """
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = 1
    if t and t[-1] in "KMG":
        scale, t = 1 << (10 * ("KMG".index(t[-1]) + 1)), t[:-1]
    value = float(t) * scale
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"not a size: {text!r}")
    return int(value)


def size_limit() -> int:
    """The cache's size bound in bytes: ``$FTRANS_CACHE_SIZE`` (default 256M).

    >>> size_limit() > 0
    True
    """
    text = os.environ.get("FTRANS_CACHE_SIZE", "").strip()
    if text:
        try:
            return parse_size(text)
        except ValueError:
            _warn("size-env", f"FTRANS_CACHE_SIZE={text!r} is not a size (like 256M); "
                              f"using {DEFAULT_SIZE >> 20}M")
    return DEFAULT_SIZE


def compile_timeout() -> float:
    """Seconds a compiler may run before it is killed: ``$FTRANS_COMPILE_TIMEOUT``
    (default 60).

    >>> compile_timeout() > 0
    True
    """
    text = os.environ.get("FTRANS_COMPILE_TIMEOUT", "").strip()
    if text:
        try:
            value = float(text)
            if value > 0 and math.isfinite(value):
                return value
        except ValueError:
            pass
        _warn("timeout-env", f"FTRANS_COMPILE_TIMEOUT={text!r} is not a positive number of "
                             f"seconds; using {DEFAULT_TIMEOUT_S:g}")
    return DEFAULT_TIMEOUT_S


def _warn(kind: str, message: str) -> None:
    with _lock:
        if kind in _warned:
            return
        _warned.add(kind)
    warnings.warn(f"ftrans: {message}", KernelCacheWarning,
                  stacklevel=files.caller_stacklevel())


# --- the compiler, bounded in time and ended at exit

def _kill(p: subprocess.Popen) -> None:
    try:
        os.killpg(p.pid, signal.SIGKILL)  # the compiler and its children (cc1, as, ld)
    except OSError:
        pass
    try:
        p.kill()
    except OSError:
        pass


def run_compiler(args: Sequence[str], nice: bool = False) -> tuple[int, bytes, bytes]:
    """Run ``$CC args``: (exit status, standard output, standard error). Raises
    ``_Failure`` when it cannot be started or does not finish within ``compile_timeout()``
    seconds, after killing it and all its children (its own process group).

    >>> run_compiler(["--version"])[0]  # doctest: +SKIP
    0
    """
    cc = compiler()
    timeout = compile_timeout()
    cmd = [cc, *args]
    if which("timeout"):  # ends the compiler even if this process is killed
        cmd = [str(which("timeout")), "-s", "KILL", str(math.ceil(timeout) + 5), *cmd]
    if nice and which("nice"):  # yield the CPU to the program itself
        cmd = [str(which("nice")), "-n", "10", *cmd]
    with _lock:
        if _closing[0]:
            raise _Failure("exit", "the interpreter is exiting")
        try:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True,
                                 umask=0o077)  # its output is private whatever the umask
        except OSError as e:
            raise _Failure("compiler", f"the C compiler {cc!r} cannot be run "
                                       f"({e.strerror or e})") from None
        _procs.add(p)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(p)
        try:
            p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        raise _Failure("timeout", f"the C compiler {cc!r} did not finish within "
                                  f"{timeout:g} s (FTRANS_COMPILE_TIMEOUT)") from None
    finally:
        with _lock:
            _procs.discard(p)
    if _closing[0]:
        raise _Failure("exit", "the interpreter is exiting")
    if p.returncode != 0:
        text = err.decode("utf-8", "replace").strip()
        raise _Failure("compiler", f"the C compiler {cc!r} failed (exit status "
                                   f"{p.returncode})" + (f": {text[-500:]}" if text else ""))
    return p.returncode, out, err


def _close() -> None:
    """At exit: end every compiler still running, remove the private temporary cache."""
    with _lock:
        _closing[0] = True
        procs = list(_procs)
    for p in procs:
        _kill(p)
    for d in _temp:
        if d.fd is not None and d.pid == os.getpid():  # a forked child leaves it alone
            shutil.rmtree(d.path, ignore_errors=True)


atexit.register(_close)


def _after_fork_in_child() -> None:
    # the parent's compilers are the parent's to end; locks held by its other threads at
    # the fork are never released in the child
    global _lock
    _lock = threading.Lock()
    _procs.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# --- the key: source, flags, compiler, CPU target

def cpu_target(flags: Sequence[str]) -> str:
    """A digest of what the compiler targets under ``flags``: its predefined macros (its
    version, the architecture and every instruction set extension ``-march=native``
    enables). Computed once per process and compiler.

    >>> len(cpu_target(["-O2"]))  # doctest: +SKIP
    64
    """
    k = (compiler(), tuple(flags))
    with _lock:
        t = _targets.get(k)
    if t is None:
        _, out, _ = run_compiler([*flags, "-E", "-dM", "-x", "c", os.devnull])
        if b"#define" not in out:
            raise _Failure("compiler", f"the C compiler {compiler()!r} printed no macros "
                                       f"for -E -dM")
        lines = sorted(set(out.decode("utf-8", "replace").splitlines()))
        t = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        with _lock:
            _targets[k] = t
    return t


def kernel_key(src: str, flags: Sequence[str]) -> str:
    """The cache key of ``src`` compiled with ``flags`` here (see the module doc).

    >>> len(kernel_key("void k(void) {}", ["-O2"]))  # doctest: +SKIP
    32
    """
    parts = [src, " ".join(flags), compiler(), sys.platform, platform.machine(),
             cpu_target(flags)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


# --- directories

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _open(path: str, temporary: bool = False, create: bool = True) -> _Dir:
    try:
        return _Dir(path, files.open_private_dir(path, create=create), temporary)
    except files.UnsafePathError as e:
        return _Dir(path, None, temporary, reason=e.reason)
    except OSError as e:
        return _Dir(path, None, temporary, reason=f"cannot be used ({e.strerror or e})")


def _primary() -> _Dir:
    """The configured cache directory, opened and checked once per process (and its
    mode and owner checked again at each use)."""
    path = configured_dir()
    with _lock:
        d = _dirs.get(path)
    if d is None:
        d = _open(path)
        with _lock:
            if path in _dirs:
                if d.fd is not None:
                    os.close(d.fd)
                d = _dirs[path]
            else:
                _dirs[path] = d
    elif d.fd is not None:
        reason = files.unsafe_reason(os.fstat(d.fd))
        if reason:
            d.reason, d.fd = reason, None  # the descriptor stays open: harmless
    if d.fd is None:
        _warn(f"dir:{path}", f"the kernel cache directory {path} is not used: it {d.reason}; "
                             f"using a private temporary directory (FTRANS_CACHE)")
    elif not d.cleaned:
        d.cleaned = True
        _remove_stale(d)
    return d


def _temporary() -> _Dir:
    with _lock:
        if _temp:
            return _temp[0]
    try:
        d = _open(files.private_temp_dir("ftrans-kernels-"), temporary=True, create=False)
    except OSError as e:
        d = _Dir("(temporary directory)", None, True, reason=f"cannot be created ({e})")
    with _lock:
        if _temp:
            if d.fd is not None:
                shutil.rmtree(d.path, ignore_errors=True)
            return _temp[0]
        _temp.append(d)
    return d


def _usable(avoid_primary: bool = False) -> tuple[list[_Dir], _Dir]:
    """(directories to look in, directory to write to)."""
    p = _primary()
    if p.fd is not None and time.monotonic() >= p.unwritable_until and not avoid_primary:
        return [p], p
    t = _temporary()
    if t.fd is None:
        raise _Failure("dir", f"no directory for fused C kernels: {t.path} {t.reason}")
    return ([p, t] if p.fd is not None else [t]), t


def _mkdtemp(d: _Dir) -> str:
    """A fresh build directory inside ``d`` (mode 0700); raises ``_WriteError``."""
    while True:
        name = f".tmp-{os.getpid()}-{secrets.token_hex(6)}"
        try:
            os.mkdir(name, 0o700, dir_fd=d.fd)
            return name
        except FileExistsError:
            continue
        except OSError as e:
            raise _WriteError(e) from None


def _stale(name: str) -> bool:
    return name.startswith(".tmp-") or (name.startswith(".k_") and name.endswith(".tmp"))


def _remove_stale(d: _Dir, older_than: float | None = None) -> int:
    """Remove build directories and half-written entries of dead processes: those not
    touched for ``STALE_S`` seconds (longer than any build may take). Returns how many."""
    if older_than is None:
        older_than = max(STALE_S, 2 * compile_timeout())
    now, n = time.time(), 0
    try:
        with os.scandir(d.fd) as it:
            names = [(e.name, e.stat(follow_symlinks=False).st_mtime) for e in it
                     if _stale(e.name)]
    except OSError:
        return 0
    for name, mtime in names:
        if now - mtime >= older_than:
            files.remove(d.fd, name)
            n += 1
    return n


# --- entries: header + shared object

def entry_name(key: str) -> str:
    """The file name of the entry of ``key`` in the cache directory.

    >>> entry_name("ab12")
    'k_ab12.kernel'
    """
    return f"k_{key}.kernel"


def pack(so: bytes) -> bytes:
    """An entry: the header (magic, size, SHA-256) and the shared object ``so``.

    >>> unpack(pack(b"\\x7fELF..."))
    (b'\\x7fELF...', None)
    """
    return _HEADER.pack(MAGIC, len(so), hashlib.sha256(so).digest()) + so


def unpack(data: bytes) -> tuple[bytes, str | None]:
    """(the shared object, None) of a valid entry, else (b"", why it is not valid).

    >>> unpack(b"")[1]
    'is empty'
    """
    if not data:
        return b"", "is empty"
    if len(data) < _HEADER.size or not data.startswith(MAGIC):
        return b"", "has no ftrans kernel header"
    _, size, digest = _HEADER.unpack_from(data)
    so = data[_HEADER.size:]
    if len(so) != size:
        return b"", f"is truncated or padded ({len(so)} bytes, {size} recorded)"
    if hashlib.sha256(so).digest() != digest:
        return b"", "does not match its recorded SHA-256 digest"
    if not so.startswith(_ELF):
        return b"", "is not an ELF shared object"
    return so, None


def _read_entry(d: _Dir, key: str) -> bytes | None:
    name = entry_name(key)
    try:
        data = files.read_file(d.fd, name, MAX_ENTRY)
    except FileNotFoundError:
        return None
    except files.UnsafePathError as e:
        so, reason = b"", e.reason
    except OSError as e:
        so, reason = b"", f"cannot be read ({e.strerror or e})"
    else:
        so, reason = unpack(data)
    if reason is not None:
        files.remove(d.fd, name)
        _warn("invalid", f"removed the cached kernel {os.path.join(d.path, name)}: it "
                         f"{reason}; it is rebuilt (kernels are verified before loading)")
        return None
    try:  # least recently used goes first when the cache is full
        os.utime(name, dir_fd=d.fd, follow_symlinks=False)
    except (OSError, NotImplementedError):
        pass
    return so


def _build(d: _Dir, src: str, flags: Sequence[str], key: str, nice: bool) -> bytes:
    tmp = _mkdtemp(d)
    try:
        tfd = os.open(tmp, _DIR_FLAGS, dir_fd=d.fd)
        try:
            try:
                files.write_file(tfd, "k.c", src.encode())
            except OSError as e:
                raise _WriteError(e) from None
            base = os.path.join(d.path, tmp)
            run_compiler([*flags, os.path.join(base, "k.c"), "-o", os.path.join(base, "k.so"),
                          "-lm"], nice)
            try:
                so = files.read_file(tfd, "k.so", MAX_ENTRY)
            except FileNotFoundError:
                so = b""
            except OSError as e:
                raise _Failure("output", f"the C compiler's output {e}") from None
        finally:
            os.close(tfd)
        if not so.startswith(_ELF):
            raise _Failure("output", f"the C compiler {compiler()!r} exited 0 without "
                                     f"writing a shared object")
        try:
            files.write_file(d.fd, entry_name(key), pack(so))
        except OSError as e:
            raise _WriteError(e) from None
    finally:
        files.remove(d.fd, tmp)
    evict(d.fd)
    return so


def _dlopen(d: _Dir, key: str, so: bytes) -> ctypes.CDLL:
    """Load the verified bytes ``so`` from a private copy (in a fresh directory inside
    ``d``, removed once loaded: the mapping stays)."""
    tmp = _mkdtemp(d)
    try:
        tfd = os.open(tmp, _DIR_FLAGS, dir_fd=d.fd)
        try:
            name = f"k_{key}.so"
            try:
                files.write_file(tfd, name, so)
            except OSError as e:
                raise _WriteError(e) from None
            proc = f"/proc/self/fd/{tfd}"  # the directory we hold, whatever its path now
            where = proc if os.path.isdir(proc) else os.path.join(d.path, tmp)
            try:
                return ctypes.CDLL(os.path.join(where, name))
            except OSError as e:
                raise _Failure("load", f"a compiled kernel cannot be loaded from {d.path} "
                                       f"({e})") from None
        finally:
            os.close(tfd)
    finally:
        files.remove(d.fd, tmp)


def evict(dir_fd: int, limit: int | None = None) -> int:
    """Remove the least recently used entries of the cache directory ``dir_fd`` until they
    take at most 90% of ``limit`` bytes (default ``size_limit()``), if they take more than
    ``limit``. Returns how many were removed."""
    limit = size_limit() if limit is None else limit
    try:
        with os.scandir(dir_fd) as it:
            entries = []
            for e in it:
                if e.name.startswith("k_"):
                    st = e.stat(follow_symlinks=False)
                    entries.append((st.st_mtime, e.name, st.st_size))
    except OSError:
        return 0
    total = sum(size for _, _, size in entries)
    if total <= limit:
        return 0
    n = 0
    for _, name, size in sorted(entries):
        if total <= 0.9 * limit:
            break
        files.remove(dir_fd, name)
        total -= size
        n += 1
    return n


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
    except _Failure as e:
        message, kind = str(e), e.kind
    except Exception as e:  # noqa: BLE001 - the NumPy code runs instead
        message, kind = f"{type(e).__name__}: {e}", f"error:{type(e).__name__}"
    _retry_at[0] = time.monotonic() + RETRY_AFTER_S
    if kind != "exit":
        _warn(kind, f"fused C kernels unavailable: {message}; using the NumPy code "
                    f"(tried again in {RETRY_AFTER_S:g} s)")
    return None


def _find_or_build(src: str, flags: Sequence[str], key: str, nice: bool) -> ctypes.CDLL:
    failed: tuple[_Dir, _WriteError] | None = None  # the cache could not be written
    while True:
        look, out = _usable(avoid_primary=failed is not None)
        so = None
        for d in look:
            so = _read_entry(d, key)
            if so is not None:
                break
        try:
            if so is None:
                so = _build(out, src, flags, key, nice)
            lib = _dlopen(out, key, so)
        except _WriteError as e:
            if failed is not None or out.temporary:
                where = f"the kernel cache {failed[0].path} ({failed[1]}) nor into " \
                    if failed is not None else ""
                raise _Failure("write", f"cannot write into {where}the temporary directory "
                                        f"{out.path} ({e})") from None
            failed = (out, e)
            out.unwritable_until = time.monotonic() + RETRY_AFTER_S
            continue
        if failed is not None:
            _warn(f"write:{failed[0].path}", f"cannot write into the kernel cache "
                                             f"{failed[0].path} ({failed[1]}); using a private "
                                             f"temporary directory for now")
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
    out = {"directory": path, "problem": None, "kernels": 0, "bytes": 0, "old": 0,
           "stale": 0, "size_limit": size_limit(), "compile_timeout_s": compile_timeout()}
    if not os.path.lexists(path):
        return out  # not created yet: nothing cached
    d = _open(path, create=False)
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
                elif _stale(e.name):
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
        names = [n for n in os.listdir(fd) if n.startswith("k_") or _stale(n)]
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
        _warned.clear()
        _loaded.clear()
        _targets.clear()
        for d in _dirs.values():
            if d.fd is not None:
                os.close(d.fd)
        _dirs.clear()
        _retry_at[0] = 0.0
        _found.clear()
