"""Native build of the scoring modules: ``streams/scoring`` compiled with mypyc (the same
source, as C extensions; about 1.2x faster).

- ``EARFUL_NATIVE=1 pip install .`` (or ``pip wheel``, as the Dockerfile does) installs
  them compiled. Without the variable a wheel stays plain Python.
- ``./dev`` builds them in place, next to their source (``EARFUL_NATIVE=1 python setup.py
  build_ext --inplace``), and records what it compiled (``earful/native.py``), so an edit
  is never run as old code. ``EARFUL_NATIVE=0 ./dev env`` goes back to plain Python.

See docs/operations.md.
"""

from __future__ import annotations

import os
from inspect import signature
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

# Only pure functions over str, with no pydantic models or asyncio: what mypyc compiles to
# the same behaviour. Their tests stay Python and run against the compiled modules.
NATIVE_PACKAGES = ["streams/scoring"]
GROUP = "streams.scoring.native"


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

    # Their shared library inside the package (streams/scoring/native__mypyc...so): at the
    # top of a checkout it would not be importable from a worker started elsewhere.
    grouped = {"group_name": GROUP} if "group_name" in signature(mypycify).parameters else {}
    return list(mypycify(native_modules(), opt_level="3", **grouped))


class BuildRecordingSources(build_ext):
    """An in-place build also records the source of each module it compiled."""

    def run(self) -> None:
        super().run()
        if self.inplace and self.extensions:
            from earful.native import write_manifest

            write_manifest()


if __name__ == "__main__":  # as pip's build backend and ``python setup.py`` run it
    setup(ext_modules=extensions(), cmdclass={"build_ext": BuildRecordingSources})
