"""Routing: ordered engines per target language, skipping, retries with backoff, failover, metering."""

from __future__ import annotations

import pytest

from machinery.base import Engine, EngineUnavailable, QuotaExceeded, RateLimited, Sent
from machinery.routing import NoEngineAvailable, RouteError, Router, parse_routes


class ScriptedEngine(Engine):
    """An in-process engine whose transport follows a script of errors, then echoes upper-case."""

    token_style = "plain"

    def __init__(self, name, *, configured=True, pairs=None, errors=()):
        super().__init__()
        self.name = name
        self.configured, self.pairs, self.errors = configured, pairs, list(errors)
        self.calls = 0

    def is_configured(self):
        return self.configured

    def supports(self, source, target):
        return self.pairs is None or (source, target) in self.pairs

    def _send(self, payloads, source, target, **_):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return [Sent(p.upper(), billed_characters=len(p)) for p in payloads]


def test_parse_routes_and_fallback_chain():
    routes = parse_routes("es=apertium,deepl; es-MX=deepl ;*=deepl,google", ["apertium", "deepl", "google"])
    router = Router({}, routes)
    assert router.route_for("es-MX") == ["deepl"]
    assert router.route_for("es-ES") == ["apertium", "deepl"]
    assert router.route_for("pl") == ["deepl", "google"]


@pytest.mark.parametrize("spec, message", [
    ("es", "not lang=engine"),
    ("es=", "not lang=engine"),
    ("es=babelfish", "unknown engine"),
])
def test_bad_routes_are_refused(spec, message):
    with pytest.raises(RouteError, match=message):
        parse_routes(spec, ["apertium", "deepl"])


def test_unconfigured_and_unsupported_engines_are_skipped_with_reasons():
    engines = {"a": ScriptedEngine("a", configured=False), "b": ScriptedEngine("b", pairs={("en", "es")}),
               "c": ScriptedEngine("c")}
    routed = Router(engines, {"*": ["a", "b", "c"]}).translate(["hi"], "en", "pl")
    assert routed.engine == "c"
    assert [(a.engine, a.outcome, a.code) for a in routed.attempts] == [
        ("a", "skipped", "not_configured"), ("b", "skipped", "unsupported_pair"), ("c", "ok", None)]
    assert not routed.failed_over


def test_a_withheld_engine_is_skipped_with_the_reason_and_never_called():
    engines = {"a": ScriptedEngine("a"), "b": ScriptedEngine("b")}
    held = {"a": ("budget_exhausted", "a has spent its budget for 2026-11")}
    routed = Router(engines, {"*": ["a", "b"]}, withhold=held.get).translate(["hi"], "en", "pl")
    assert routed.engine == "b" and engines["a"].calls == 0
    assert [(a.engine, a.outcome, a.code, a.message) for a in routed.attempts] == [
        ("a", "skipped", "budget_exhausted", "a has spent its budget for 2026-11"), ("b", "ok", None, None)]


def test_rate_limit_is_retried_with_backoff_then_succeeds():
    sleeps = []
    engine = ScriptedEngine("a", errors=[RateLimited("slow down", retry_after=3.0), RateLimited("again")])
    routed = Router({"a": engine}, {"*": ["a"]}, retries=2, backoff=0.5, sleep=sleeps.append).translate(
        ["hi"], "en", "es")
    assert routed.translations[0].text == "HI"
    assert sleeps == [3.0, 1.0]  # Retry-After wins over the first backoff; then it doubles
    assert engine.calls == 3


def test_unavailable_engine_fails_over_to_the_next():
    first = ScriptedEngine("a", errors=[EngineUnavailable("503")] * 3)
    routed = Router({"a": first, "b": ScriptedEngine("b")}, {"*": ["a", "b"]}, retries=2,
                    sleep=lambda _s: None).translate(["hi"], "en", "es")
    assert routed.engine == "b" and routed.failed_over
    assert first.calls == 3


def test_quota_exceeded_fails_over_without_retrying():
    first = ScriptedEngine("a", errors=[QuotaExceeded("456")])
    routed = Router({"a": first, "b": ScriptedEngine("b")}, {"*": ["a", "b"]}, retries=2,
                    sleep=lambda _s: pytest.fail("quota errors are not retried")).translate(["hi"], "en", "es")
    assert routed.engine == "b" and first.calls == 1


def test_no_engine_serves_the_pair():
    with pytest.raises(NoEngineAvailable) as info:
        Router({"a": ScriptedEngine("a", pairs={("en", "es")})}, {"*": ["a"]}).translate(["hi"], "en", "pl")
    assert info.value.unserved
    assert "no engine serves en -> pl" in str(info.value) and "a does not translate en to pl" in str(info.value)


def test_every_engine_failing_is_not_called_unserved():
    engine = ScriptedEngine("a", errors=[QuotaExceeded("quota")])
    with pytest.raises(NoEngineAvailable) as info:
        Router({"a": engine}, {"*": ["a"]}).translate(["hi"], "en", "es")
    assert not info.value.unserved and "every engine failed" in str(info.value)


def test_every_attempt_is_metered_with_what_was_sent():
    calls = []
    engine = ScriptedEngine("a", errors=[EngineUnavailable("503")])
    Router({"a": engine}, {"*": ["a"]}, retries=1, sleep=lambda _s: None,
           meter=lambda **kw: calls.append(kw)).translate(["Mail jan@example.com"], "en", "es")
    assert [c["ok"] for c in calls] == [False, True]
    assert calls[0]["error_code"] == "unavailable"
    assert calls[1]["billed_characters"] == len("Mail [[1]]")
    assert calls[1]["sent"] == ["Mail [[1]]"]


def test_a_long_retry_after_fails_over_instead_of_waiting():
    slow = ScriptedEngine("a", errors=[RateLimited("come back in an hour", retry_after=3600.0)])
    routed = Router({"a": slow, "b": ScriptedEngine("b")}, {"*": ["a", "b"]}, retries=2, max_wait=5.0,
                    sleep=lambda _s: pytest.fail("must not wait an hour")).translate(["hi"], "en", "es")
    assert routed.engine == "b" and slow.calls == 1


# --- circuit breaker and deadline -----------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_an_engine_failing_repeatedly_is_skipped_for_the_cool_down_then_probed_once():
    from machinery.routing import CircuitBreaker

    clock = Clock()
    a = ScriptedEngine("a", errors=[EngineUnavailable("down")] * 4)
    b = ScriptedEngine("b")
    router = Router({"a": a, "b": b}, {"*": ["a", "b"]}, retries=0, sleep=lambda s: None,
                    breaker=CircuitBreaker(threshold=3, cooldown=30, clock=clock))
    for _ in range(3):
        assert router.translate(["hi"], "en", "de").engine == "b"
    assert a.calls == 3 and router.breaker.state("a")["state"] == "open"
    routed = router.translate(["hi"], "en", "de")
    assert a.calls == 3 and [(x.engine, x.outcome, x.code) for x in routed.attempts] == [
        ("a", "skipped", "circuit_open"), ("b", "ok", None)]
    assert router.breaker.state("a")["retry_in_seconds"] == 30
    clock.now += 31  # the cool-down is over: one probe, which fails and reopens the circuit
    assert router.breaker.state("a")["state"] == "half_open"
    router.translate(["hi"], "en", "de")
    assert a.calls == 4 and router.breaker.state("a")["state"] == "open"
    clock.now += 31  # the next probe succeeds and closes it
    assert router.translate(["hi"], "en", "de").engine == "a"
    assert router.breaker.state("a") == {"state": "closed", "consecutive_failures": 0}


def test_an_unsupported_pair_does_not_count_against_an_engine():
    from machinery.base import Unsupported
    from machinery.routing import CircuitBreaker

    a = ScriptedEngine("a", errors=[Unsupported("no")] * 5)
    router = Router({"a": a, "b": ScriptedEngine("b")}, {"*": ["a", "b"]}, retries=0,
                    breaker=CircuitBreaker(threshold=2, cooldown=30))
    for _ in range(5):
        router.translate(["hi"], "en", "de")
    assert a.calls == 5 and router.breaker.state("a")["state"] == "closed"


def test_once_the_deadline_is_spent_no_engine_is_tried_and_the_failure_is_not_unserved():
    import time

    from machinery.routing import deadline

    slept = []
    a = ScriptedEngine("a", errors=[EngineUnavailable("down")] * 3)
    b = ScriptedEngine("b")
    router = Router({"a": a, "b": b}, {"*": ["a", "b"]}, retries=2, backoff=5.0, sleep=slept.append)
    with deadline(0.05):
        time.sleep(0.06)
        with pytest.raises(NoEngineAvailable) as caught:
            router.translate(["hi"], "en", "de")
    assert (a.calls, b.calls) == (0, 0) and not caught.value.unserved
    assert [x.code for x in caught.value.attempts] == ["deadline", "deadline"]
    # A backoff longer than what is left is not slept: the next engine is tried at once.
    with deadline(2.0):
        assert router.translate(["hi"], "en", "de").engine == "b"
    assert slept == [] and a.calls == 1
