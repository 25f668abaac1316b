from hypothesis import given
from hypothesis import strategies as st

from alerts.routing import RouteNode, alert_labels, receivers_for, routes_for
from config.schema import Route
from streams.records import ScoredMention

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


GROUPING = RouteNode.build(
    Route.model_validate(
        {
            "receiver": "default",
            "group_by": ["conversation"],
            "group_wait": "30s",
            "fallback_receiver": "pager",
            "routes": [
                {
                    "matchers": ['team="care"'],
                    "receiver": "care",
                    "group_interval": "10m",
                    "routes": [{"matchers": ['priority="P1"'], "group_wait": "0s"}],
                },
                {"matchers": ['team="bank"'], "receiver": "bank", "group_by": ["..."]},
            ],
        }
    )
)


def test_children_inherit_grouping_unless_they_set_it() -> None:
    (care,) = routes_for(GROUPING, {"team": "care"})
    (urgent,) = routes_for(GROUPING, {"team": "care", "priority": "P1"})
    assert (care.group_by, care.group_wait, care.group_interval) == (("conversation",), 30, 600)
    assert (urgent.receiver, urgent.group_wait, urgent.group_interval) == ("care", 0, 600)
    assert urgent.fallback_receiver == "pager" and urgent.path == "0.0.0"


def test_group_labels_pick_group_by_values_or_all_labels() -> None:
    (care,) = routes_for(GROUPING, {"team": "care"})
    (bank,) = routes_for(GROUPING, {"team": "bank"})
    labels = {"team": "bank", "conversation": "t1", "brand": "nw"}
    assert care.group_labels(labels) == (("conversation", "t1"),)
    assert bank.group_labels(labels) == tuple(sorted(labels.items()))


def test_alert_labels_add_the_thread_so_it_can_be_grouped_and_silenced() -> None:
    from alerts.test_webhook import ALERT

    assert alert_labels(ALERT) == ALERT.labels  # no mention, nothing to add
    mention = ScoredMention.model_validate_json(
        '{"schema_version": 1, "id": "t:2", "source": "t", "text": "x",'
        ' "created_at": "2026-11-22T09:00:00Z", "author": {"id": "1", "handle": "a"},'
        ' "in_reply_to": "t:1", "sentiment": {"label": "negative", "polarity": -0.5,'
        ' "textblob_polarity": -0.5}, "urgency": {"score": 0.5}, "priority": "P2",'
        ' "needs_response": true, "team": "care", "reasons": [],'
        ' "scored_at": "2026-11-22T09:00:01Z", "scorer": "test"}'
    )
    replying = ALERT.model_copy(update={"mention": mention})
    assert alert_labels(replying) == {**ALERT.labels, "conversation": "t:1"}


@given(labels, labels)
def test_matching_depends_only_on_the_labels_a_route_names(
    lbls: dict[str, str], noise: dict[str, str]
) -> None:
    unrelated = {f"x_{k}": v for k, v in noise.items()}
    assert receivers_for(TREE, lbls) == receivers_for(TREE, {**lbls, **unrelated})
