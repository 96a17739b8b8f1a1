"""Routing on the project's labelled agent turns (tests/fixtures/routing): recall first, then release."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import FIXTURES
from tests.factories import ALWAYS_ON
from workflows.models import Decision
from workflows.routing import RoutingInput, Turn, decide

KINDS = {"CRITICAL": {"money", "cancellation", "returns_warranty", "policy_terms", "account_security",
                      "personal_data", "safety_medical", "dates_periods"},
         "ROUTINE": {"greeting", "thanks", "apology", "order_number", "tracking", "troubleshooting", "howto",
                     "closing"}}


def load(name: str) -> list[dict]:
    path = FIXTURES / "routing" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def route(item: dict):
    return decide(RoutingInput(
        source_text=item["text"], source_lang=item["lang"], target_lang="es" if item["lang"] == "en" else "en",
        channel=item["channel"], engine="apertium", customer_message=item.get("customer_message"),
        thread=[Turn(**t) for t in item.get("thread", [])]))


@pytest.fixture(scope="module", params=["eval", "holdout"])
def evaluated(request):
    return [(item, route(item)) for item in load(request.param)]


@pytest.mark.parametrize("name, at_least", [("eval", 600), ("train", 400)])
def test_the_sets_are_labelled_by_the_rubric_in_four_languages(name, at_least):
    items = load(name)
    assert len(items) >= at_least
    assert all(item["kind"] in KINDS[item["label"]] for item in items)
    langs = Counter(item["lang"] for item in items)
    assert set(langs) == {"en", "nl", "de", "es"} and langs["en"] > len(items) / 2
    assert all(langs[lang] >= len(items) / 12 for lang in ("nl", "de", "es"))


@pytest.mark.parametrize("measured", ["eval", "holdout"])
def test_the_measuring_sets_share_no_turn_with_the_training_set(measured):
    def key(item):
        return item["text"].casefold(), (item.get("customer_message") or "").casefold()

    assert not {key(i) for i in load(measured)} & {key(i) for i in load("train")}


def test_every_critical_turn_is_held_with_a_reason(evaluated):
    missed = [item["text"] for item, result in evaluated
              if item["label"] == "CRITICAL" and (result.decision == Decision.RELEASED or not result.reasons)]
    assert missed == []


def test_at_least_four_in_five_routine_turns_are_released(evaluated):
    routine = [result.decision for item, result in evaluated if item["label"] == "ROUTINE"]
    assert sum(d == Decision.RELEASED for d in routine) / len(routine) >= 0.80


def test_turns_that_only_the_customers_message_makes_critical_are_held(evaluated):
    context = [(item, result) for item, result in evaluated if item.get("needs_context")]
    assert context
    assert all(result.decision != Decision.RELEASED for _item, result in context)


def test_through_the_app_with_apertium_to_spanish_critical_turns_are_held_and_routine_ones_released(
        client, make_user):
    # Every 8th English turn of the eval set, drafted as a chat reply to Spanish: the translation is read too.
    agent = make_user("agent", name="alex", languages="en")[1]
    make_user("reviewer", name="lucia", languages="es", timezone="Europe/Madrid", **ALWAYS_ON)
    sample = [item for item in load("eval") if item["lang"] == "en"][::8]
    released: dict[str, list[bool]] = {"CRITICAL": [], "ROUTINE": []}
    for n, item in enumerate(sample):
        body = {"text": item["text"], "ticket_ref": f"T-{n}", "channel": "chat", "customer_locale": "es",
                "customer_message": item.get("customer_message")}
        reply = client.post("/api/v1/replies", json=body, headers=agent).get_json()
        assert reply["engine"] == "apertium", reply
        released[item["label"]].append(reply["decision"] == "released")
    assert len(released["CRITICAL"]) >= 20 and not any(released["CRITICAL"])
    assert sum(released["ROUTINE"]) / len(released["ROUTINE"]) >= 0.80
