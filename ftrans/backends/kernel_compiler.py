"""The C compiler of fused kernels: ``$CC`` (default ``cc``), run in its own process
group, killed with all its children after ``$FTRANS_COMPILE_TIMEOUT`` seconds (default 60)
and when the interpreter exits; what it targets (its predefined macros), which keys the
kernel cache; and the one-warning-per-kind rule of the kernel cache's failures.

In a process forked while a compiler runs, the child forgets the parent's compilers (the
parent still ends them).

>>> compile_timeout() > 0
True
"""

from __future__ import annotations

import atexit
import hashlib
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import warnings
from typing import Sequence

from ..errors import DocumentedError
from . import files

DEFAULT_TIMEOUT_S = 60.0


class KernelCacheWarning(DocumentedError, RuntimeWarning):
    """A fused C kernel could not be built, stored or loaded (the NumPy code runs), or the
    kernel cache directory was not used.

    >>> issubclass(KernelCacheWarning, RuntimeWarning)
    True
    """


class BuildFailure(Exception):
    """No kernel this time; ``kind`` groups failures for the one-warning rule."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# --- process state (reset in a forked child and by ``reset``)
_lock = threading.Lock()
_warned: set[str] = set()
_targets: dict[tuple, str] = {}
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
        warn_once("timeout-env", f"FTRANS_COMPILE_TIMEOUT={text!r} is not a positive number "
                                 f"of seconds; using {DEFAULT_TIMEOUT_S:g}")
    return DEFAULT_TIMEOUT_S


def warn_once(kind: str, message: str) -> None:
    """Warn ``message`` (a ``KernelCacheWarning``) unless a warning of ``kind`` was given
    in this process already (``reset`` forgets them).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_once("doc-example", "one"); warn_once("doc-example", "two")
    >>> [str(x.message).splitlines()[0] for x in w]  # (then the docs link)
    ['ftrans: one']
    """
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
    ``BuildFailure`` when it cannot be started or does not finish within ``compile_timeout()``
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
            raise BuildFailure("exit", "the interpreter is exiting")
        try:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True,
                                 umask=0o077)  # its output is private whatever the umask
        except OSError as e:
            raise BuildFailure("compiler", f"the C compiler {cc!r} cannot be run "
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
        raise BuildFailure("timeout", f"the C compiler {cc!r} did not finish within "
                                  f"{timeout:g} s (FTRANS_COMPILE_TIMEOUT)") from None
    finally:
        with _lock:
            _procs.discard(p)
    if _closing[0]:
        raise BuildFailure("exit", "the interpreter is exiting")
    if p.returncode != 0:
        text = err.decode("utf-8", "replace").strip()
        raise BuildFailure("compiler", f"the C compiler {cc!r} failed (exit status "
                                   f"{p.returncode})" + (f": {text[-500:]}" if text else ""))
    return p.returncode, out, err


def close() -> None:
    """End every compiler still running; no new one starts (the interpreter is exiting).

    >>> close  # doctest: +ELLIPSIS
    <function close at ...>
    """
    with _lock:
        _closing[0] = True
        procs = list(_procs)
    for p in procs:
        _kill(p)


atexit.register(close)


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
            raise BuildFailure("compiler", f"the C compiler {compiler()!r} printed no macros "
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


def reset() -> None:
    """Forget the warnings given, the CPU targets and the programs looked up.

    >>> reset()
    """
    with _lock:
        _warned.clear()
        _targets.clear()
        _found.clear()


__all__ = ["DEFAULT_TIMEOUT_S", "KernelCacheWarning", "BuildFailure", "warn_once", "which",
           "compiler", "compile_timeout", "run_compiler", "close", "cpu_target", "kernel_key",
           "reset"]
