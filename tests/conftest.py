"""Shared fixtures: a fresh SoftHSM2 token store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crypto.softhsm import SoftHsmStore

USER_PIN = "123456"
SO_PIN = "87654321"


@pytest.fixture
def softhsm(tmp_path: Path) -> Iterator[SoftHsmStore]:
    """A SoftHSM store of this test's own, active for the duration of the test."""
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    yield store
    store.activate()  # finalize so the next test's store is read afresh
