"""The kernel cache's directory, a trust boundary, and its entries.

- **where**: ``configured_dir()``, used only if it passes ``files.open_private_dir``'s
  checks (else, with one warning, a private temporary directory removed at exit); a cache
  that cannot be written is avoided for a while (``Dir.unwritable_until``).
- **entries** ``k_<key>.kernel``: a header (magic, size and SHA-256 of the shared object)
  followed by the shared object (``pack``/``unpack``); ``read_entry`` opens one without
  following symbolic links and removes it (one warning) unless it is intact.
- **builds** run in fresh directories inside the cache directory (``build_dir``); those
  left by a dead process are removed after ``STALE_S`` seconds.
- **size bound**: ``size_limit()``; ``evict`` removes the least recently used entries.

>>> unpack(pack(b"\\x7fELF"))[1] is None
True
"""

from __future__ import annotations

import atexit
import hashlib
import math
import os
import secrets
import shutil
import struct
import threading
import time
from dataclasses import dataclass, field

from . import files, kernel_compiler
from .kernel_compiler import BuildFailure, warn_once

DEFAULT_SIZE = 256 << 20
STALE_S = 3600.0          # a build directory older than this belongs to a dead process
MAX_ENTRY = 64 << 20      # larger entries are not read

MAGIC = b"ftrans-kernel-1\n"
_HEADER = struct.Struct("<16sQ32s")  # magic, size of the shared object, its SHA-256
ELF = b"\x7fELF"
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class WriteError(Exception):
    """A directory could not be written (read-only, full, permissions)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))


@dataclass
class Dir:
    """A kernel cache directory as this process found it: an open descriptor, or ``None``
    and the ``reason`` it is not used.

    >>> Dir("/nowhere", None, reason="does not exist").fd is None
    True
    """

    path: str
    fd: int | None                # None: not used (``reason`` says why)
    temporary: bool = False
    reason: str = ""
    unwritable_until: float = 0.0
    cleaned: bool = False
    pid: int = field(default_factory=os.getpid)  # the process that opened (or made) it

    def descriptor(self) -> int:
        """``fd``, of a directory in use (``usable_dirs`` gives only those).

        >>> Dir("/nowhere", None, reason="does not exist").descriptor()
        Traceback (most recent call last):
        ValueError: the kernel cache directory /nowhere is not used: it does not exist
        """
        if self.fd is None:
            raise ValueError(f"the kernel cache directory {self.path} is not used: it "
                             f"{self.reason}")
        return self.fd


# --- process state (reset in a forked child and by ``reset``)
_lock = threading.Lock()
_dirs: dict[str, Dir] = {}        # configured path -> what was found there
_temp: list[Dir] = []             # this process's private fallback directory


def _close() -> None:
    """At exit: end the compilers first (they may write in it), then remove the private
    temporary cache."""
    kernel_compiler.close()
    for d in _temp:
        if d.fd is not None and d.pid == os.getpid():  # a forked child leaves it alone
            shutil.rmtree(d.path, ignore_errors=True)


atexit.register(_close)


def _after_fork_in_child() -> None:
    global _lock  # locks held by the parent's other threads at the fork are never released
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


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
            warn_once("size-env", f"FTRANS_CACHE_SIZE={text!r} is not a size (like 256M); "
                                  f"using {DEFAULT_SIZE >> 20}M")
    return DEFAULT_SIZE


# --- directories

def open_dir(path: str, temporary: bool = False, create: bool = True) -> Dir:
    """``path`` opened as a private directory (``files.open_private_dir``: created 0700
    if ``create``), or a ``Dir`` without descriptor saying why it may not be used.

    >>> import tempfile
    >>> d = open_dir(tempfile.mkdtemp()); d.fd is not None and d.reason == ""
    True
    """
    try:
        return Dir(path, files.open_private_dir(path, create=create), temporary)
    except files.UnsafePathError as e:
        return Dir(path, None, temporary, reason=e.reason)
    except OSError as e:
        return Dir(path, None, temporary, reason=f"cannot be used ({e.strerror or e})")


def _primary() -> Dir:
    """The configured cache directory, opened and checked once per process (and its
    mode and owner checked again at each use)."""
    path = configured_dir()
    with _lock:
        d = _dirs.get(path)
    if d is None:
        d = open_dir(path)
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
        warn_once(f"dir:{path}", f"the kernel cache directory {path} is not used: it "
                                 f"{d.reason}; using a private temporary directory "
                                 f"(FTRANS_CACHE)")
    elif not d.cleaned:
        d.cleaned = True
        _remove_stale(d)
    return d


def _temporary() -> Dir:
    with _lock:
        if _temp:
            return _temp[0]
    try:
        d = open_dir(files.private_temp_dir("ftrans-kernels-"), temporary=True, create=False)
    except OSError as e:
        d = Dir("(temporary directory)", None, True, reason=f"cannot be created ({e})")
    with _lock:
        if _temp:
            if d.fd is not None:
                shutil.rmtree(d.path, ignore_errors=True)
            return _temp[0]
        _temp.append(d)
    return d


def usable_dirs(avoid_primary: bool = False) -> tuple[list[Dir], Dir]:
    """(directories to look in, directory to write to): the configured directory, or
    with it (or instead of it) this process's private temporary one while it may not be
    written or used. Raises ``BuildFailure`` when there is neither.

    >>> look, out = usable_dirs(); out in look
    True
    """
    p = _primary()
    if p.fd is not None and time.monotonic() >= p.unwritable_until and not avoid_primary:
        return [p], p
    t = _temporary()
    if t.fd is None:
        raise BuildFailure("dir", f"no directory for fused C kernels: {t.path} {t.reason}")
    return ([p, t] if p.fd is not None else [t]), t


def build_dir(d: Dir) -> str:
    """The name of a fresh build directory inside ``d`` (mode 0700); raises
    ``WriteError``.

    >>> import tempfile
    >>> build_dir(open_dir(tempfile.mkdtemp())).startswith(".tmp-")
    True
    """
    while True:
        name = f".tmp-{os.getpid()}-{secrets.token_hex(6)}"
        try:
            os.mkdir(name, 0o700, dir_fd=d.fd)
            return name
        except FileExistsError:
            continue
        except OSError as e:
            raise WriteError(e) from None


def is_stale(name: str) -> bool:
    """Whether ``name`` is a build directory or a half-written entry (removed once old).

    >>> is_stale(".tmp-12-ab"), is_stale("k_ab.kernel")
    (True, False)
    """
    return name.startswith(".tmp-") or (name.startswith(".k_") and name.endswith(".tmp"))


def _remove_stale(d: Dir, older_than: float | None = None) -> int:
    """Remove build directories and half-written entries of dead processes: those not
    touched for ``STALE_S`` seconds (longer than any build may take). Returns how many."""
    if older_than is None:
        older_than = max(STALE_S, 2 * kernel_compiler.compile_timeout())
    fd, now, n = d.descriptor(), time.time(), 0
    try:
        with os.scandir(fd) as it:
            names = [(e.name, e.stat(follow_symlinks=False).st_mtime) for e in it
                     if is_stale(e.name)]
    except OSError:
        return 0
    for name, mtime in names:
        if now - mtime >= older_than:
            files.remove(fd, name)
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
    if not so.startswith(ELF):
        return b"", "is not an ELF shared object"
    return so, None


def read_entry(d: Dir, key: str) -> bytes | None:
    """The verified shared object of ``key``'s entry in ``d``, else None: missing, or
    removed with one warning because it is not intact (see ``unpack``).

    >>> import tempfile
    >>> read_entry(open_dir(tempfile.mkdtemp()), "ab12") is None
    True
    """
    name, fd = entry_name(key), d.descriptor()
    reason: str | None
    try:
        data = files.read_file(fd, name, MAX_ENTRY)
    except FileNotFoundError:
        return None
    except files.UnsafePathError as e:
        so, reason = b"", e.reason
    except OSError as e:
        so, reason = b"", f"cannot be read ({e.strerror or e})"
    else:
        so, reason = unpack(data)
    if reason is not None:
        files.remove(fd, name)
        warn_once("invalid", f"removed the cached kernel {os.path.join(d.path, name)}: it "
                             f"{reason}; it is rebuilt (kernels are verified before loading)")
        return None
    try:  # least recently used goes first when the cache is full
        os.utime(name, dir_fd=fd, follow_symlinks=False)
    except (OSError, NotImplementedError):
        pass
    return so


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


def reset() -> None:
    """Forget the directories checked (the next use checks them again).

    >>> reset()
    """
    with _lock:
        for d in _dirs.values():
            if d.fd is not None:
                os.close(d.fd)
        _dirs.clear()


__all__ = ["DEFAULT_SIZE", "STALE_S", "MAX_ENTRY", "MAGIC", "ELF", "DIR_FLAGS", "WriteError",
           "Dir", "configured_dir", "parse_size", "size_limit", "open_dir", "usable_dirs",
           "build_dir", "is_stale", "entry_name", "pack", "unpack", "read_entry", "evict",
           "reset"]
