"""Optional native build: ``EARFUL_NATIVE=1 pip install .`` compiles the pure scoring
modules with mypyc (the same source, as C extensions; about a fifth faster). Without it,
or in an editable install, everything stays plain Python. See docs/operations.md."""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

# Only pure functions over str, with no pydantic models or asyncio: what mypyc compiles to
# the same behaviour. Their tests stay Python and run against the compiled modules.
NATIVE_PACKAGES = ["streams/scoring"]


def native_modules() -> list[str]:
    return sorted(
        str(path)
        for package in NATIVE_PACKAGES
        for path in Path(package).glob("*.py")
        if not path.name.startswith("test_") and path.name != "__init__.py"
    )


def extensions() -> list[object]:
    if os.environ.get("EARFUL_NATIVE", "") != "1":
        return []
    from mypyc.build import mypycify

    return list(mypycify(native_modules(), opt_level="3"))


setup(ext_modules=extensions())
