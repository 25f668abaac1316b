from pathlib import Path

import pytest

from config.loader import DEFAULT_CONFIG_PATH
from earful.cli import main

CONFIG = """
receivers:
  - {name: care, console_configs: [{}]}
  - {name: care-urgent, console_configs: [{}]}
  - {name: oncall, console_configs: [{}]}
route:
  receiver: console
  group_by: [conversation]
  group_wait: 30s
  routes:
    - matchers: ['kind="crisis"']
      receiver: oncall
      continue: true
    - matchers: ['team="care"']
      receiver: care
      routes:
        - matchers: ['priority=~"P1|P2"']
          receiver: care-urgent
          group_wait: 0s
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "earful.yaml"
    path.write_text(CONFIG)
    return path


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["team=care", "priority=P1"], "care-urgent"),
        (["team=care", "priority=P4"], "care"),
        (["kind=crisis", 'team="care"', "priority=P3"], "oncall,care"),
        (["team=bank"], "console"),
        ([], "console"),
    ],
)
def test_prints_the_receivers_the_labels_reach(
    config: Path, labels: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["routes", "test", "--config", str(config), *labels]) == 0
    assert capsys.readouterr().out == expected + "\n"


def test_verbose_shows_inherited_grouping_and_verify_fails_on_mismatch(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config), "routes", "test", "-v", "team=care"]) == 0
    out = capsys.readouterr().out
    assert "care: route 0.1 group_by=conversation group_wait=30s" in out
    args = ["routes", "test", "--config", str(config), "--verify-receivers", "care"]
    assert main([*args, "team=care", "priority=P1"]) == 1
    assert "expected receivers care, got care-urgent" in capsys.readouterr().out
    assert main([*args, "team=care"]) == 0


def test_bad_label_syntax_is_an_error_that_says_how(config: Path) -> None:
    with pytest.raises(SystemExit, match="is not label=value"):
        main(["routes", "test", "--config", str(config), "team"])


def test_works_on_the_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "test", "--config", str(DEFAULT_CONFIG_PATH), "team=bank-care"]) == 0
    assert capsys.readouterr().out == "bank-care-console\n"
