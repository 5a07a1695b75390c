"""Test-session options shared by all test files.

``FTRANS_TEST_SHARD=i/n`` keeps every n-th collected test starting at the i-th (0-based), so
that ``ci/gpu.sh`` can run the GPU tests in several processes at once: most of their time
is kernel compilation, which is CPU-bound and per process.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = os.environ.get("FTRANS_TEST_SHARD")
    if not shard:
        return
    try:
        i, n = (int(p) for p in shard.split("/"))
        assert 0 <= i < n
    except (ValueError, AssertionError):
        raise pytest.UsageError(f"FTRANS_TEST_SHARD must be i/n with 0 <= i < n, got {shard!r}")
    keep = [item for k, item in enumerate(items) if k % n == i]
    config.hook.pytest_deselected(items=[item for k, item in enumerate(items) if k % n != i])
    items[:] = keep
