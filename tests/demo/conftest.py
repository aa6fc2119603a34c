"""Shared generated outputs of the demo data generator (generated once per test session)."""

from __future__ import annotations

import pytest
from demo_support import LONG_UNTIL, SHORT_UNTIL

from jeugdregie.demo.generator import GenerationResult, generate


@pytest.fixture(scope="session")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> GenerationResult:
    return generate(tmp_path_factory.mktemp("demo_short"), seed=1, scale=1, until=SHORT_UNTIL)


@pytest.fixture(scope="session")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> GenerationResult:
    return generate(tmp_path_factory.mktemp("demo_long"), seed=1, scale=1, until=LONG_UNTIL, keep_facts=True)
