"""CUDA kernels run on the CPU, for the CuPy emulator: a kernel source is compiled with g++
beside a small runtime that gives it ``threadIdx``, ``blockIdx``, ``blockDim``,
``gridDim``, ``__shared__`` memory and ``__syncthreads``, and a launch runs every thread of
every block.

Blocks run one after another. Within a block, a kernel without ``__syncthreads`` runs its
threads one after another; a kernel with it runs each thread as a coroutine
(``ucontext``) that yields at each ``__syncthreads`` until all threads of the block have
reached it, as on a GPU. A block whose threads disagree on the number of barriers (some
exit while others wait) fails the launch: on a GPU that is undefined behaviour.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import shutil
import subprocess
import tempfile

CXX = shutil.which("g++") or shutil.which("c++")
CACHE = os.path.join(tempfile.gettempdir(), "ftrans-cupy-emulator-cache")

PRELUDE = r"""
#include <ucontext.h>
#include <cstddef>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <vector>
struct ft_emu_dim3 { unsigned int x, y, z; };
static ft_emu_dim3 threadIdx, blockIdx, blockDim, gridDim;
#define __global__
#define __shared__ static
#define __device__
#define __host__
#define __forceinline__ inline
static ucontext_t ft_emu_scheduler;
static ucontext_t* ft_emu_threads;
static unsigned ft_emu_current;
static unsigned long ft_emu_barriers;
static inline void __syncthreads() {
  ++ft_emu_barriers;
  swapcontext(&ft_emu_threads[ft_emu_current], &ft_emu_scheduler);
}
static void (*ft_emu_body)(void*);
static void* ft_emu_body_arg;
static void ft_emu_entry() { ft_emu_body(ft_emu_body_arg); }

template <class... A> struct ft_emu_job { void (*kernel)(A...); void** args; };
template <class... A, std::size_t... I>
static void ft_emu_call(const ft_emu_job<A...>* job, std::index_sequence<I...>) {
  job->kernel(*static_cast<std::remove_reference_t<A>*>(job->args[I])...);
}
template <class... A> static void ft_emu_run_thread(void* job) {
  ft_emu_call(static_cast<const ft_emu_job<A...>*>(job), std::index_sequence_for<A...>{});
}

// 0: done; 1: a block's threads disagreed on __syncthreads; 2: bad launch configuration
template <class... A>
static int ft_emu_launch(void (*kernel)(A...), unsigned grid, unsigned block, void** args,
                         bool barriers) {
  if (grid == 0 || block == 0 || block > 1024) return 2;
  ft_emu_job<A...> job{kernel, args};
  gridDim = {grid, 1, 1};
  blockDim = {block, 1, 1};
  const std::size_t stack = 1 << 17;
  static std::vector<char> stacks;
  static std::vector<ucontext_t> contexts;
  if (barriers && stacks.size() < stack * block) {
    stacks.resize(stack * block);
    contexts.resize(block);
  }
  for (unsigned b = 0; b < grid; ++b) {
    blockIdx = {b, 0, 0};
    if (!barriers) {
      for (unsigned t = 0; t < block; ++t) {
        threadIdx = {t, 0, 0};
        ft_emu_run_thread<A...>(&job);
      }
      continue;
    }
    ft_emu_threads = contexts.data();
    ft_emu_body = ft_emu_run_thread<A...>;
    ft_emu_body_arg = &job;
    std::vector<char> done(block, 0);
    for (unsigned t = 0; t < block; ++t) {
      getcontext(&contexts[t]);
      contexts[t].uc_stack.ss_sp = &stacks[t * stack];
      contexts[t].uc_stack.ss_size = stack;
      contexts[t].uc_link = &ft_emu_scheduler;
      makecontext(&contexts[t], ft_emu_entry, 0);
    }
    unsigned live = block;
    while (live) {
      unsigned waiting = 0, exited = 0;
      for (unsigned t = 0; t < block; ++t) {
        if (done[t]) continue;
        ft_emu_current = t;
        threadIdx = {t, 0, 0};
        const unsigned long before = ft_emu_barriers;
        swapcontext(&ft_emu_scheduler, &contexts[t]);
        if (ft_emu_barriers == before) { done[t] = 1; ++exited; --live; } else { ++waiting; }
      }
      if (waiting && exited) return 1;
    }
  }
  return 0;
}
"""

_KERNEL = re.compile(r'extern\s+"C"\s+__global__\s+void\s+(\w+)\s*\(')


class CompileError(Exception):
    """g++ rejected a kernel source; the message is its log."""


def kernel_names(source: str) -> list[str]:
    """The ``extern "C" __global__`` functions defined in ``source``."""
    return _KERNEL.findall(source)


def build(source: str) -> ctypes.CDLL:
    """The host build of ``source`` (cached by its text), with a launcher
    ``ft_emu_launch_<name>(grid, block, args)`` for each kernel."""
    if CXX is None:
        raise CompileError("the CuPy emulator needs a C++ compiler (g++) on PATH")
    names = kernel_names(source)
    barriers = "__syncthreads" in source
    stubs = "\n".join(
        f'extern "C" int ft_emu_launch_{n}(unsigned g, unsigned b, void** a) '
        f"{{ return ft_emu_launch({n}, g, b, a, {'true' if barriers else 'false'}); }}"
        for n in names)
    text = PRELUDE + "\n#line 1 \"kernel.cu\"\n" + source + "\n" + stubs + "\n"
    key = hashlib.sha1(text.encode()).hexdigest()[:24]
    os.makedirs(CACHE, exist_ok=True)
    lib = os.path.join(CACHE, key + ".so")
    if not os.path.exists(lib):
        src = os.path.join(CACHE, key + ".cpp")
        with open(src, "w") as f:
            f.write(text)
        tmp = f"{lib}.tmp{os.getpid()}"
        res = subprocess.run([CXX, "-std=c++17", "-O1", "-shared", "-fPIC", "-w", src, "-o",
                              tmp], capture_output=True, text=True)
        if res.returncode:
            raise CompileError(res.stderr[-6000:])
        os.replace(tmp, lib)
    return ctypes.CDLL(lib)
