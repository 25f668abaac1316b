"""The native scoring modules of a source checkout: built in place, never run stale.

``./dev`` compiles ``streams/scoring`` with mypyc next to its source (``setup.py
build_ext --inplace``: the same code as C extensions, about 1.2x faster) and records a
digest of each module it compiled. Python loads a compiled module before its ``.py``, so
after an edit the old code would run; Earful's commands and the test suite refuse to start
then, and say how to rebuild. Installed wheels carry no record and are not checked.

    python -m earful.native status    exit 0 when built and current, 1 otherwise
    python -m earful.native remove    delete the compiled modules (plain Python again)
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import sys
from pathlib import Path

SCORING = Path(__file__).resolve().parent.parent / "streams" / "scoring"
MANIFEST = "native-sources.json"
# mypyc's shared library for the modules it compiled together (setup.py's GROUP).
SHARED_LIBRARY = "native__mypyc"


class StaleNativeBuildError(RuntimeError):
    """A compiled scoring module no longer matches its source."""


def native_sources(folder: Path = SCORING) -> list[Path]:
    """The modules setup.py compiles: the pure ones, not their tests."""
    return sorted(
        p for p in folder.glob("*.py") if not p.name.startswith("test_") and p.name != "__init__.py"
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(folder: Path = SCORING) -> Path:
    """Record the source each compiled module was built from (setup.py, after an in-place
    build)."""
    manifest = folder / MANIFEST
    manifest.write_text(
        json.dumps({p.name: digest(p) for p in native_sources(folder)}, indent=1) + "\n"
    )
    return manifest


def compiled_modules(folder: Path = SCORING) -> list[Path]:
    """The compiled modules and their shared library."""
    return sorted(
        {p for suffix in importlib.machinery.EXTENSION_SUFFIXES for p in folder.glob(f"*{suffix}")}
    )


def stale_sources(folder: Path = SCORING) -> list[str]:
    """Sources changed, added or removed since the in-place build; empty without one."""
    manifest = folder / MANIFEST
    if not manifest.exists():
        return []
    built: dict[str, str] = json.loads(manifest.read_text())
    now = {p.name: digest(p) for p in native_sources(folder)}
    return sorted(name for name in built.keys() | now.keys() if built.get(name) != now.get(name))


def check_native_build(folder: Path = SCORING) -> None:
    """Raise when a compiled module would run code its source no longer has."""
    stale = stale_sources(folder)
    if stale:
        raise StaleNativeBuildError(
            f"{', '.join(stale)} in {folder} changed after the scoring modules were compiled, "
            "so the old code would run. Rebuild them with './dev env', or go back to plain "
            "Python with 'EARFUL_NATIVE=0 ./dev env'."
        )


def current(folder: Path = SCORING) -> bool:
    """True when every module is compiled from its present source."""
    names = {p.name.split(".")[0] for p in compiled_modules(folder)} - {SHARED_LIBRARY}
    wanted = {p.stem for p in native_sources(folder)}
    return (folder / MANIFEST).exists() and names == wanted and not stale_sources(folder)


def remove(folder: Path = SCORING) -> list[Path]:
    """Delete the compiled modules, their shared library and the record."""
    removed = compiled_modules(folder)
    if (folder / MANIFEST).exists():
        removed.append(folder / MANIFEST)
    for path in removed:
        path.unlink()
    return removed


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "status":
        return 0 if current() else 1
    if command == "remove":
        for path in remove():
            print(f"removed {path}")
        return 0
    print("usage: python -m earful.native [status|remove]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
