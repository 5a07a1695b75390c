"""Files ftrans writes and reads back: private directories, no symbolic link followed.

Everything ftrans puts on disk goes through these few functions: the fused C kernel cache
(``kernel_cache.py``), ``FTRANS_DUMP`` (generated Python), ``FTRANS_DUMP_CUDA`` and the
sources of CUDA kernels that failed to compile. The rules:

- a directory is used only if it is a real directory (not a symbolic link), owned by the
  user (``owner()``) and not writable by group or others; one that does not exist is
  created with mode 0700, whatever the umask;
- it is opened once (``open_private_dir``) and every file is then named relative to that
  descriptor (``openat``), so swapping the path afterwards changes nothing;
- files are written to a fresh temporary name (``O_EXCL | O_NOFOLLOW``) and renamed into
  place: readers see whole files only, and a symbolic link planted at the name is replaced,
  never followed;
- files are read back (``read_file``) without following symbolic links, and only if they
  are regular files owned by the user and not writable by group or others;
- files written for reading (``dump_text``: ``FTRANS_DUMP``, ``FTRANS_DUMP_CUDA``) never
  raise: a directory that may not be used is replaced by a private temporary one, and any
  failure gives one warning.

>>> import tempfile, os
>>> d = os.path.join(tempfile.mkdtemp(), "out")
>>> path = write_text(d, "hello.txt", "hi")
>>> oct(os.stat(d).st_mode & 0o777), open(path).read()
('0o700', 'hi')
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import sys
import tempfile
import threading
import warnings
from types import FrameType

from ..errors import DocumentedError, see_docs


class UnsafePathError(DocumentedError, OSError):
    """A directory or file ftrans refuses to use; ``reason`` says why.

    >>> str(UnsafePathError("/tmp/x", "is a symbolic link")).splitlines()[0]
    '/tmp/x is a symbolic link'
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(errno.EPERM, f"{path} {reason}")
        self.path, self.reason = path, reason

    def __str__(self) -> str:
        return see_docs(f"{self.path} {self.reason}", self.anchor)


def owner() -> int:
    """The user id that must own every directory and file ftrans uses (the effective uid;
    tests replace this function to check the ownership rule when running as root).

    >>> owner() == os.geteuid()
    True
    """
    return os.geteuid()


def unsafe_reason(st: os.stat_result, kind: str = "directory") -> str | None:
    """Why a file with status ``st`` (from ``lstat``/``fstat``) may not be used as a
    ``kind`` ("directory" or "file"), or None when it may.

    >>> import tempfile
    >>> unsafe_reason(os.stat(tempfile.mkdtemp())) is None
    True
    """
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if kind == "directory" and not stat.S_ISDIR(mode):
        return "is not a directory"
    if kind == "file" and not stat.S_ISREG(mode):
        return "is not a regular file"
    if st.st_uid != owner():
        return f"is owned by uid {st.st_uid}, not by this user (uid {owner()})"
    if mode & 0o022:
        who = " and ".join(w for w, bit in (("group", 0o020), ("others", 0o002)) if mode & bit)
        return f"is writable by {who} (mode {stat.S_IMODE(mode):04o})"
    return None


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def open_private_dir(path: str, create: bool = True) -> int:
    """A descriptor of directory ``path`` (created 0700 if missing, with its parents when
    ``create``), after checking it is safe to use; raises ``UnsafePathError`` when not
    (see the module doc) and ``OSError`` when it cannot be created or opened.

    >>> import tempfile
    >>> fd = open_private_dir(os.path.join(tempfile.mkdtemp(), "a", "b"))
    >>> os.close(fd)
    """
    path = os.path.abspath(path)
    if create:
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
    try:
        fd = os.open(path, _DIR_FLAGS)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR):  # a symbolic link, or not a directory
            raise UnsafePathError(path, unsafe_reason(os.lstat(path)) or str(e)) from None
        raise
    reason = unsafe_reason(os.fstat(fd))
    if reason:
        os.close(fd)
        raise UnsafePathError(path, reason)
    return fd


def check_dir(fd: int, path: str) -> None:
    """Raise ``UnsafePathError`` if the open directory ``fd`` (named ``path``) is no longer
    safe to use (its mode or owner changed since it was opened).

    >>> import tempfile
    >>> fd = open_private_dir(tempfile.mkdtemp()); check_dir(fd, "d"); os.close(fd)
    """
    reason = unsafe_reason(os.fstat(fd))
    if reason:
        raise UnsafePathError(path, reason)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_file(dir_fd: int, name: str, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` as ``name`` in the directory ``dir_fd``, atomically: a new file under
    a random name (never following a symbolic link), renamed over ``name``.

    >>> import tempfile
    >>> fd = open_private_dir(tempfile.mkdtemp())
    >>> write_file(fd, "x", b"abc"); read_file(fd, "x")
    b'abc'
    """
    tmp = f".{name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
    f = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                mode, dir_fd=dir_fd)
    try:
        try:
            _write_all(f, data)
        finally:
            os.close(f)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        remove(dir_fd, tmp)
        raise


def read_file(dir_fd: int, name: str, max_size: int | None = None) -> bytes:
    """The bytes of ``name`` in the directory ``dir_fd``, opened without following a
    symbolic link; raises ``UnsafePathError`` if it is not a regular file owned by the user
    and not writable by others, or is larger than ``max_size``; ``FileNotFoundError`` if
    absent.

    >>> import tempfile
    >>> fd = open_private_dir(tempfile.mkdtemp())
    >>> os.symlink("/etc/passwd", "link", dir_fd=fd)
    >>> read_file(fd, "link")
    Traceback (most recent call last):
    ...
    ftrans.backends.files.UnsafePathError: link is a symbolic link
    See ...#unsafe-path-error
    """
    try:  # O_NONBLOCK: a planted FIFO must not block the open
        f = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                    dir_fd=dir_fd)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise UnsafePathError(name, "is a symbolic link") from None
        raise
    try:
        st = os.fstat(f)
        reason = unsafe_reason(st, "file")
        if reason:
            raise UnsafePathError(name, reason)
        if max_size is not None and st.st_size > max_size:
            raise UnsafePathError(name, f"is larger than {max_size} bytes")
        chunks, size = [], 0
        while True:
            chunk = os.read(f, max(st.st_size - size, 0) + 1)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if max_size is not None and size > max_size:
                raise UnsafePathError(name, f"is larger than {max_size} bytes")
        return b"".join(chunks)
    finally:
        os.close(f)


def remove(dir_fd: int, name: str) -> None:
    """Remove ``name`` from the directory ``dir_fd`` (a file, a symbolic link, or a
    directory tree, never following links); missing is fine, other errors are ignored.

    >>> import tempfile
    >>> fd = open_private_dir(tempfile.mkdtemp()); remove(fd, "nothing")
    """
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            sub = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
            try:
                for entry in os.listdir(sub):
                    remove(sub, entry)
            finally:
                os.close(sub)
            os.rmdir(name, dir_fd=dir_fd)
        else:
            os.unlink(name, dir_fd=dir_fd)
    except OSError:
        pass


def write_text(directory: str, name: str, text: str) -> str:
    """Write ``text`` as ``directory/name`` by the rules of the module doc; return the path.
    Raises ``UnsafePathError`` for a directory that may not be used, ``OSError`` when the
    file cannot be written.

    >>> import tempfile
    >>> write_text(tempfile.mkdtemp(), "k.cu", "// k").endswith("k.cu")
    True
    """
    fd = open_private_dir(directory)
    try:
        write_file(fd, name, text.encode("utf-8"))
    finally:
        os.close(fd)
    return os.path.join(os.path.abspath(directory), name)


def private_temp_dir(prefix: str) -> str:
    """A new directory only this user can read or write (``tempfile.mkdtemp``: mode 0700,
    an unpredictable name), in the system's temporary directory.

    >>> d = private_temp_dir("ftrans-doc-"); oct(os.stat(d).st_mode & 0o777)
    '0o700'
    >>> os.rmdir(d)
    """
    return tempfile.mkdtemp(prefix=prefix)


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def caller_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning given by the caller of this function point
    at the first frame outside ftrans (the user's line that led to it).

    >>> caller_stacklevel() >= 2
    True
    """
    level = 2
    f: FrameType | None = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_PACKAGE):
        level, f = level + 1, f.f_back
    return level


_dump_lock = threading.Lock()
_dump_dirs: dict[str, str] = {}    # directory asked for -> the one written to
_dump_warned: set[str] = set()


def _dump_warn(key: str, message: str) -> None:
    with _dump_lock:
        if key in _dump_warned:
            return
        _dump_warned.add(key)
    warnings.warn(f"ftrans: {message}", RuntimeWarning, stacklevel=caller_stacklevel())


def dump_text(variable: str, directory: str, name: str, text: str) -> str | None:
    """Write ``text`` as ``name`` into ``directory``, named by the environment variable
    ``variable`` (for the warning): the path written, or None. A directory that may not be
    used (a symbolic link, another user's, writable by others) gives one warning and a
    private temporary directory instead; a write that fails gives one warning. Never raises.

    >>> import tempfile
    >>> dump_text("FTRANS_DUMP", tempfile.mkdtemp(), "a.py", "x = 1").endswith("a.py")
    True
    """
    with _dump_lock:
        where = _dump_dirs.get(directory, directory)
    try:
        try:
            return write_text(where, name, text)
        except UnsafePathError as e:
            if where != directory:
                raise
            with _dump_lock:
                where = _dump_dirs.setdefault(directory, private_temp_dir("ftrans-dump-"))
            _dump_warn(f"unsafe:{directory}", f"{variable}={directory} is not used: {e}; "
                                              f"writing to {where} instead")
            return write_text(where, name, text)
    except OSError as e:
        _dump_warn(f"fail:{directory}", f"{variable}: cannot write {name} into {where} ({e})")
        return None
