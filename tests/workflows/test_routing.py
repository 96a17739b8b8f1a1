"""Each routing rule, and that the strictest decision wins with every reason kept."""

from __future__ import annotations

import random

import pytest

from workflows.models import Decision
from workflows.routing import RoutingInput, decide, sampled


def route(text="Thanks for waiting, your parcel is on its way.", **kw):
    data = {"source_text": text, "source_lang": "en", "target_lang": "es", "channel": "email", "engine": "deepl", **kw}
    return decide(RoutingInput(**data))


def codes(result):
    return [r.code for r in result.reasons]


def test_plain_reply_is_released_without_reasons():
    result = route()
    assert result.decision == Decision.RELEASED and result.reasons == []


@pytest.mark.parametrize("text, code", [
    ("Your refund has been issued.", "content:refund"),
    ("We will send a voucher as compensation.", "content:compensation"),
    ("Your subscription was cancelled.", "content:cancellation"),
    ("Our lawyer reviewed the contract.", "content:legal"),
    ("Please reset your password now.", "content:security"),
    ("Stop using the heater: fire hazard.", "content:medical_safety"),
    ("We charged €49.99 again.", "content:money"),
    ("We charged 120 PLN.", "content:money"),
])
def test_critical_content_goes_to_native_review(text, code):
    result = route(text)
    assert result.decision == Decision.NATIVE_REVIEW
    assert code in codes(result)


def test_dates_ask_the_agent_to_confirm():
    result = route("Your parcel arrives on 2026-12-03.")
    assert result.decision == Decision.AGENT_CONFIRM and codes(result) == ["content:date"]


def test_locale_critical_terms():
    assert route("Your Garantie is fine.", critical_terms=["Garantie"]).decision == Decision.NATIVE_REVIEW


@pytest.mark.parametrize("kw, code, decision", [
    ({"findings": [{"check": "placeholders", "severity": "critical"}]}, "quality:critical_check", Decision.NATIVE_REVIEW),
    ({"findings": [{"check": "truncated", "severity": "major"}]}, "quality:major_check", Decision.AGENT_CONFIRM),
    ({"failed_over": True}, "quality:failover", Decision.NATIVE_REVIEW),
    ({"recent_score": 82.0, "quality_threshold": 90.0}, "quality:language_below_threshold", Decision.NATIVE_REVIEW),
    ({"always_review": True}, "locale:always_review", Decision.NATIVE_REVIEW),
    ({"vip": True}, "customer:vip", Decision.NATIVE_REVIEW),
    ({"escalated": True}, "customer:escalated", Decision.NATIVE_REVIEW),
    ({"channel": "social"}, "channel:public", Decision.NATIVE_REVIEW),
    ({"detection_uncertain": True}, "language:uncertain", Decision.AGENT_CONFIRM),
    ({"engine": None, "target_lang": "pl"}, "no_engine", Decision.HUMAN_TRANSLATION),
])
def test_quality_customer_and_channel_rules(kw, code, decision):
    result = route(**kw)
    assert code in codes(result) and result.decision == decision


def test_score_at_or_above_threshold_does_not_fire():
    assert route(recent_score=90.0, quality_threshold=90.0).decision == Decision.RELEASED


def test_strictest_wins_and_every_reason_is_kept():
    result = route("Your refund arrives on 2026-12-03.", vip=True, engine=None)
    assert result.decision == Decision.HUMAN_TRANSLATION
    assert {"no_engine", "customer:vip"} <= set(codes(result))


def test_reviewed_translations_skip_content_and_quality_rules_but_not_customer_rules():
    assert route("Your refund was issued.", reviewed_translation=True).decision == Decision.RELEASED
    assert route("Your refund was issued.", reviewed_translation=True, vip=True).decision == Decision.NATIVE_REVIEW


def test_sampling_rate_is_respected():
    rng = random.Random(7)
    draws = [sampled(0.1, rng) for _ in range(5000)]
    assert 0.08 < sum(draws) / len(draws) < 0.12
    assert not any(sampled(0.0, rng) for _ in range(100))
