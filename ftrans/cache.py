"""The fused C kernel cache, from the command line: ``python -m ftrans.cache info|clear``.

``info`` prints where the cache is (``$FTRANS_CACHE``, default ``~/.cache/ftrans``), whether
it is used (and if not, why: a symbolic link, another user's directory, writable by group or
others...), how many kernels it holds and their size, the size bound (``$FTRANS_CACHE_SIZE``)
and the compile timeout (``$FTRANS_COMPILE_TIMEOUT``). ``clear`` removes every kernel and
leftover build file (the directory itself stays). Both take an optional directory instead
of the configured one. The rules the cache follows are in ``ftrans/backends/kernel_cache.py``.

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> main(["info", d])  # doctest: +ELLIPSIS
kernel cache: /...
  0 kernels, 0 bytes (bound ... bytes); compile timeout ... s
0
>>> main(["clear", d])
removed 0 files from the kernel cache
0
"""

from __future__ import annotations

import sys
from typing import Sequence

from .backends import kernel_cache

USAGE = "usage: python -m ftrans.cache {info|clear} [DIRECTORY]"


def info(path: str | None = None) -> dict:
    """What the kernel cache at ``path`` (default: the configured one) holds; see
    ``kernel_cache.info``.

    >>> import tempfile
    >>> info(tempfile.mkdtemp())["kernels"]
    0
    """
    return kernel_cache.info(path)


def clear(path: str | None = None) -> int:
    """Remove every cached kernel from the cache at ``path`` (default: the configured one);
    returns how many files were removed.

    >>> import tempfile
    >>> clear(tempfile.mkdtemp())
    0
    """
    return kernel_cache.clear(path)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``info`` or ``clear``, then optionally a directory; returns the
    exit status.

    >>> main(["frobnicate"])
    usage: python -m ftrans.cache {info|clear} [DIRECTORY]
    2
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("info", "clear") or len(args) > 2:
        print(USAGE)
        return 2
    path = args[1] if len(args) == 2 else None
    if args[0] == "info":
        i = info(path)
        print(f"kernel cache: {i['directory']}")
        if i["problem"]:
            print(f"  not used: {i['problem']} (a private temporary directory is used "
                  f"instead)")
        print(f"  {i['kernels']} kernels, {i['bytes']} bytes (bound {i['size_limit']} bytes); "
              f"compile timeout {i['compile_timeout_s']:g} s")
        if i["old"]:
            print(f"  {i['old']} files from older ftrans versions (never loaded; `clear` "
                  f"removes them)")
        if i["stale"]:
            print(f"  {i['stale']} leftover build files (removed once an hour old)")
        return 0
    try:
        n = clear(path)
    except OSError as e:
        print(f"not cleared: {e}")
        return 1
    print(f"removed {n} files from the kernel cache")
    return 0


if __name__ == "__main__":
    sys.exit(main())
