"""A pytest plugin for ``ci/array_api.sh``: the array-api-tests suite's Hypothesis profile
without the shrinking phase. A failing test fails the same, with the first failing example
found instead of the smallest one; without this, each failure costs minutes of shrinking."""

from __future__ import annotations

import pytest
from hypothesis import Phase, settings


@pytest.hookimpl(trylast=True)  # after the suite's conftest registered its profile
def pytest_configure(config: pytest.Config) -> None:
    suite = settings.get_profile("array-api-tests")
    settings.register_profile("array-api-tests-no-shrink", parent=suite,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("array-api-tests-no-shrink")
