from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

from earful.native import (
    MANIFEST,
    SCORING,
    StaleNativeBuildError,
    check_native_build,
    current,
    native_sources,
    remove,
    stale_sources,
    write_manifest,
)

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def scoring_copy(tmp_path: Path, *, compiled: bool) -> Path:
    """A scoring folder with two modules, a test and, if ``compiled``, their extensions."""
    folder = tmp_path / "scoring"
    folder.mkdir()
    for name, text in {
        "__init__.py": "",
        "sentiment.py": "X = 1\n",
        "urgency.py": "Y = 2\n",
        "test_sentiment.py": "def test_x() -> None: ...\n",
    }.items():
        (folder / name).write_text(text)
    if compiled:
        for stem in ("sentiment", "urgency", "native__mypyc"):
            (folder / f"{stem}{SUFFIX}").write_bytes(b"\x7fELF")
        write_manifest(folder)
    return folder


def test_setup_compiles_exactly_the_modules_whose_source_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = SCORING.parent.parent
    spec = importlib.util.spec_from_file_location("earful_setup", root / "setup.py")
    assert spec is not None and spec.loader is not None
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)  # not as __main__: setup() is not called
    monkeypatch.chdir(root)
    relative = [str(p.relative_to(root)) for p in native_sources()]
    assert setup.native_modules() == relative
    assert "streams/scoring/sentiment.py" in relative
    assert not any("test_" in name or "__init__" in name for name in relative)


def test_a_fresh_build_is_current_and_an_edit_makes_it_stale(tmp_path: Path) -> None:
    folder = scoring_copy(tmp_path, compiled=True)
    assert current(folder)
    assert stale_sources(folder) == []
    check_native_build(folder)  # nothing to say

    (folder / "urgency.py").write_text("Y = 3\n")
    assert stale_sources(folder) == ["urgency.py"]
    assert not current(folder)
    with pytest.raises(StaleNativeBuildError, match=r"urgency\.py .* changed .* \./dev env"):
        check_native_build(folder)


def test_a_module_added_or_removed_after_the_build_is_stale(tmp_path: Path) -> None:
    folder = scoring_copy(tmp_path, compiled=True)
    (folder / "topics.py").write_text("Z = 0\n")
    (folder / "sentiment.py").unlink()
    assert stale_sources(folder) == ["sentiment.py", "topics.py"]


def test_editing_a_test_or_a_checkout_without_a_native_build_is_never_stale(
    tmp_path: Path,
) -> None:
    folder = scoring_copy(tmp_path, compiled=True)
    (folder / "test_sentiment.py").write_text("def test_y() -> None: ...\n")
    assert current(folder)

    other = tmp_path / "other"
    other.mkdir()
    (other / "sentiment.py").write_text("X = 1\n")
    assert stale_sources(other) == []
    assert not current(other)  # nothing compiled there
    check_native_build(other)


def test_a_missing_compiled_module_is_not_current(tmp_path: Path) -> None:
    folder = scoring_copy(tmp_path, compiled=True)
    (folder / f"urgency{SUFFIX}").unlink()
    assert not current(folder)


def test_remove_leaves_plain_python(tmp_path: Path) -> None:
    folder = scoring_copy(tmp_path, compiled=True)
    removed = {p.name for p in remove(folder)}
    assert removed == {f"sentiment{SUFFIX}", f"urgency{SUFFIX}", f"native__mypyc{SUFFIX}", MANIFEST}
    assert sorted(p.name for p in folder.iterdir()) == [
        "__init__.py",
        "sentiment.py",
        "test_sentiment.py",
        "urgency.py",
    ]
    assert remove(folder) == []


def test_the_commands_refuse_to_run_stale_scoring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from earful import cli

    folder = scoring_copy(tmp_path, compiled=True)
    (folder / "sentiment.py").write_text("X = 2\n")
    monkeypatch.setattr(cli, "check_native_build", lambda: check_native_build(folder), raising=True)
    assert cli.main(["schema"]) == 2
    assert "sentiment.py" in capsys.readouterr().err
