from hypothesis import given
from hypothesis import strategies as st

from alerts.routing import RouteNode, receivers_for
from config.schema import Route

TREE = RouteNode.build(
    Route.model_validate(
        {
            "receiver": "default",
            "routes": [
                {"matchers": ['kind="crisis"'], "receiver": "oncall", "continue": True},
                {
                    "matchers": ['team="air-care"'],
                    "receiver": "air",
                    "routes": [
                        {"matchers": ['priority=~"P1|P2"'], "receiver": "air-urgent"},
                        {"matchers": ['topic="baggage"']},
                    ],
                },
                {"matchers": ['team="air-care"'], "receiver": "never-reached"},
                {"matchers": ['team!="air-care"', 'brand="northwind"'], "receiver": "bank"},
            ],
        }
    )
)


def test_first_match_wins_depth_first() -> None:
    assert receivers_for(TREE, {"team": "air-care", "priority": "P1"}) == ["air-urgent"]
    assert receivers_for(TREE, {"team": "air-care", "priority": "P4"}) == ["air"]


def test_child_without_receiver_inherits_its_parents() -> None:
    assert receivers_for(TREE, {"team": "air-care", "topic": "baggage"}) == ["air"]


def test_continue_lets_later_siblings_match_too() -> None:
    assert receivers_for(TREE, {"kind": "crisis", "team": "air-care"}) == ["oncall", "air"]


def test_unmatched_labels_go_to_the_root_receiver() -> None:
    assert receivers_for(TREE, {"team": "other"}) == ["default"]
    assert receivers_for(TREE, {"brand": "northwind", "team": "bank"}) == ["bank"]


labels = st.dictionaries(
    st.sampled_from(["team", "priority", "kind", "brand", "topic"]),
    st.sampled_from(
        ["air-care", "P1", "P2", "P4", "crisis", "mention", "northwind", "baggage", ""]
    ),
)


@given(labels)
def test_every_alert_reaches_at_least_one_receiver_each_once(lbls: dict[str, str]) -> None:
    found = receivers_for(TREE, lbls)
    assert found
    assert len(found) == len(set(found))
    assert "never-reached" not in found
