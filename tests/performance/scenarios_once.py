"""The ``scenarios`` of a module, built once for it rather than for every test."""

from __future__ import annotations

import pytest

from tests.performance.conftest import reloaded


def scenarios_built_once():
    """A fixture named ``scenarios`` that replaces the conftest's for the module that takes
    it (``scenarios = scenarios_built_once()``): the two agents of ``shared_scenarios``, read
    again for each test, whose writes are rolled back."""

    def scenarios(shared_scenarios, db):
        return reloaded(shared_scenarios)

    return pytest.fixture(scenarios, name="scenarios")
