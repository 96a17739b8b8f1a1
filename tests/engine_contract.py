"""The contract every machine-translation engine passes, as Weblate's machinery tests run one base per engine.

An engine's test module subclasses ``EngineContract`` (``class TestDeepLContract(EngineContract)``) and
provides:

- ``engine_class`` and, as fixtures, ``settings`` (the engine's settings pointed at its local fake)
  and ``vendor`` (the fake server, or None for an engine without one);
- the hooks ``script_auth_failure``, ``script_quota_exceeded``, ``script_rate_limit`` (Retry-After: 7),
  ``script_server_error`` and ``script_hang``: each makes the next translate request fail that way and
  returns settings overrides for the engine built to meet it (a wrong key, a broken install...).

An engine that cannot meet an item (Apertium has no account to run out of) skips it in its subclass
with the reason: ``pytest.skip("...")`` in the hook or an overriding test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from machinery.base import (
    AuthFailed,
    Engine,
    EngineError,
    EngineTimeout,
    EngineUnavailable,
    QuotaExceeded,
    RateLimited,
    Unsupported,
)
from machinery.protection import Protector

EngineFactory = Callable[..., Engine]


class EngineContract:
    """Tests every engine must pass; see the module docstring for what a subclass provides."""

    engine_class: ClassVar[type[Engine]]
    #: A pair the engine translates, and one it does not.
    pair: ClassVar[tuple[str, str]] = ("en", "es")
    unsupported_pair: ClassVar[tuple[str, str]] = ("en", "xx")
    #: The setting that bounds one request, in seconds.
    timeout_setting: ClassVar[str] = "ENGINE_TIMEOUT"
    #: How the engine bills: "characters" (each segment its characters), "tokens" (a language model)
    #: or "nothing" (a free engine).
    bills: ClassVar[str] = "characters"
    #: Segments in the order test: more than one request's worth unless the engine's batches are huge.
    batch_count: ClassVar[int | None] = None

    # --- hooks ------------------------------------------------------------------------------

    @pytest.fixture
    def settings(self) -> Mapping[str, Any]:
        raise NotImplementedError("a contract subclass provides the engine's settings")

    @pytest.fixture
    def vendor(self) -> Any:
        return None

    def script_auth_failure(self, vendor: Any, tmp_path: Path) -> dict[str, Any]:
        raise NotImplementedError

    def script_quota_exceeded(self, vendor: Any, tmp_path: Path) -> dict[str, Any]:
        raise NotImplementedError

    def script_rate_limit(self, vendor: Any, tmp_path: Path) -> dict[str, Any]:
        raise NotImplementedError

    def script_server_error(self, vendor: Any, tmp_path: Path) -> dict[str, Any]:
        raise NotImplementedError

    def script_hang(self, vendor: Any, tmp_path: Path) -> dict[str, Any]:
        raise NotImplementedError

    # --- engines ----------------------------------------------------------------------------

    @pytest.fixture
    def make_engine(self, settings: Mapping[str, Any]) -> Iterator[EngineFactory]:
        built: list[Engine] = []

        def make(**overrides: Any) -> Engine:
            engine = self.engine_class.from_settings({**settings, **overrides}, protector=Protector())
            built.append(engine)
            return engine

        yield make
        for engine in built:
            engine.close()

    @pytest.fixture
    def engine(self, make_engine: EngineFactory) -> Engine:
        return make_engine()

    def failing(self, make_engine: EngineFactory, overrides: Mapping[str, Any]) -> Engine:
        """An engine for an error test; it has fetched its language lists, so only translation fails."""
        engine = make_engine(**overrides)
        engine.supports(*self.pair)
        return engine

    # --- translation ------------------------------------------------------------------------

    def test_translates_a_batch_keeping_order_and_count(self, engine: Engine) -> None:
        count = self.batch_count or engine.max_batch + 3
        texts = [f"Your order {i} has shipped" for i in range(count)]

        out = engine.translate_batch(texts, *self.pair)

        assert len(out) == count
        assert [re.findall(r"\d+", t.text) for t in out] == [[str(i)] for i in range(count)]
        assert {(t.engine, t.source_lang, t.target_lang) for t in out} == {(engine.name, *self.pair)}

    def test_keeps_placeholders_and_customer_data(self, engine: Engine) -> None:
        kept = ["{name}", "%(order)s", "https://shop.example/r?id=7", "help@shop.example"]
        text = "Hi {name}, your refund for %(order)s is at https://shop.example/r?id=7 or write to help@shop.example"

        [out] = engine.translate_batch([text], *self.pair)

        for value in kept:
            assert out.text.count(value) == 1, (value, out.text)
        assert out.lost_spans == []

    def test_keeps_markup(self, engine: Engine) -> None:
        html = '<p>Your <b>refund</b> is <a href="https://shop.example/r?id=7&amp;x=1">here</a>.</p>'

        [out] = engine.translate_batch([html], *self.pair, fmt="html")

        assert re.findall(r"<[^<>]+>", out.text) == re.findall(r"<[^<>]+>", html)

    def test_reports_supported_pairs(self, engine: Engine) -> None:
        assert engine.is_configured()
        assert engine.supports(*self.pair)
        assert not engine.supports(*self.unsupported_pair)
        pairs = engine.language_pairs()
        assert pairs is None or self.pair in pairs
        with pytest.raises(Unsupported):
            engine.translate_batch(["Your order"], *self.unsupported_pair)

    def test_gives_billed_characters(self, engine: Engine) -> None:
        texts = ["Your refund", "Thanks for your patience"]

        out = engine.translate_batch(texts, *self.pair)

        if self.bills == "characters":
            assert [t.billed_characters for t in out] == [len(t) for t in texts]
        elif self.bills == "tokens":
            assert [t.billed_characters for t in out] == [0, 0]
            assert out[0].input_tokens > 0 and out[0].output_tokens > 0
        else:
            assert [(t.billed_characters, t.input_tokens, t.output_tokens) for t in out] == [(0, 0, 0)] * 2

    # --- vendor errors, mapped to the engine error types -----------------------------------

    def expect(self, error: type[EngineError], engine: Engine) -> EngineError:
        with pytest.raises(error) as caught:
            engine.translate_batch(["Your refund"], *self.pair)
        assert caught.value.engine == engine.name
        return caught.value

    def test_refused_credentials_are_auth_failed(self, make_engine: EngineFactory, vendor: Any,
                                                 tmp_path: Path) -> None:
        engine = self.failing(make_engine, self.script_auth_failure(vendor, tmp_path))

        assert not self.expect(AuthFailed, engine).retryable

    def test_exhausted_quota_is_quota_exceeded(self, make_engine: EngineFactory, vendor: Any,
                                               tmp_path: Path) -> None:
        engine = self.failing(make_engine, self.script_quota_exceeded(vendor, tmp_path))

        assert not self.expect(QuotaExceeded, engine).retryable

    def test_429_is_rate_limited_with_retry_after(self, make_engine: EngineFactory, vendor: Any,
                                                  tmp_path: Path) -> None:
        engine = self.failing(make_engine, self.script_rate_limit(vendor, tmp_path))

        error = self.expect(RateLimited, engine)
        assert error.retryable and error.retry_after == 7.0

    def test_server_error_is_unavailable(self, make_engine: EngineFactory, vendor: Any, tmp_path: Path) -> None:
        engine = self.failing(make_engine, self.script_server_error(vendor, tmp_path))

        assert self.expect(EngineUnavailable, engine).retryable

    def test_hanging_vendor_times_out(self, make_engine: EngineFactory, vendor: Any, tmp_path: Path) -> None:
        overrides = self.script_hang(vendor, tmp_path)
        engine = self.failing(make_engine, {**overrides, self.timeout_setting: 0.5})

        assert self.expect(EngineTimeout, engine).retryable
