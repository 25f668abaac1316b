"""Checks for the whole suite, before any test imports the code under test."""

from __future__ import annotations

import pytest

from earful.native import StaleNativeBuildError, check_native_build


def pytest_configure(config: pytest.Config) -> None:
    # A compiled scoring module built from older source would be tested instead of the
    # source on disk.
    try:
        check_native_build()
    except StaleNativeBuildError as error:
        pytest.exit(str(error), returncode=2)
