"""Framing of Apertium's stream format: the tokenizer reads runs of characters, and must frame and unframe every
text exactly as the character-by-character reading it replaced (kept here as the reference)."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from machinery.apertium_pipeline import SEGMENT_END, _is_block_tag, frame, unframe


def _reference_tokens(stream: str) -> Iterator[tuple[str, str]]:
    i, n = 0, len(stream)
    while i < n:
        c = stream[i]
        if c == "\\" and i + 1 < n:
            yield "escape", stream[i:i + 2]
            i += 2
        elif c == "[":
            j = i + 1
            while j < n and stream[j] != "]":
                j += 2 if stream[j] == "\\" else 1
            yield "blank", stream[i:j + 1]
            i = j + 1
        else:
            yield "char", c
            i += 1


def _reference_frame(payload: str, fmt: str) -> str:
    out: list[str] = []
    words = False
    whitespace: list[str] = []

    def end_whitespace() -> None:
        nonlocal words
        run = "".join(whitespace)
        whitespace.clear()
        if "\n" not in run:
            out.append(run)
        elif run.count("\n") >= 2 and words:
            out.append(f".[][{run}]")
            words = False
        else:
            out.append(f"[{run}]")

    for kind, raw in _reference_tokens(payload.replace("\0", "")):
        if kind == "char" and raw.isspace():
            whitespace.append(raw)
            continue
        if whitespace:
            end_whitespace()
        if kind == "blank" and fmt == "html" and words and _is_block_tag(raw):
            out.append(".[]")
            words = False
        out.append(raw)
        words = words or kind != "blank"
    if whitespace:
        end_whitespace()
    return "".join(out) + SEGMENT_END


def _reference_unframe(output: str) -> str | None:
    tokens = list(_reference_tokens(output.rstrip(" \t")))
    if not tokens or tokens[-1] != ("blank", "[\n]"):
        return None
    tokens.pop()
    kept: list[str] = []
    for kind, raw in tokens:
        if kind == "blank" and raw == "[]":
            if kept and kept[-1] == ".":
                kept.pop()
            continue
        kept.append(raw)
    return "".join(kept)


# The characters that matter to the format, and a few that do not.
STREAM = st.text(alphabet=st.sampled_from(list("ab. \n\t\\[]<>/p\u00a0\u3000é")), max_size=40)


@settings(max_examples=3000, deadline=None)
@given(STREAM, st.sampled_from(["text", "html"]))
def test_frame_is_the_character_by_character_framing(payload, fmt):
    assert frame(payload, fmt) == _reference_frame(payload, fmt)


@settings(max_examples=3000, deadline=None)
@given(STREAM, st.sampled_from(["", "[\n]", ".[][\n]", "[]", " \t"]))
def test_unframe_is_the_character_by_character_unframing(output, end):
    assert unframe(output + end) == _reference_unframe(output + end)


def test_the_cases_that_differ_between_a_period_and_an_escaped_one():
    assert unframe("Hola.[][\n]") == "Hola"
    assert unframe("Hola\\.[][\n]") == "Hola\\."
    assert unframe("a..[][][\n]") == "a"
    assert unframe("a.[b.][][\n]") == "a.[b.]"
    assert unframe("Hola.[]") is None
    assert frame("Hi.\n\nNext <p>x", "html") == "Hi..[][\n\n]Next <p>x" + SEGMENT_END


def _reference_unmask(output: str, masked) -> tuple[str, list]:
    import html

    from machinery.tokens import ApertiumStyle, _append_lost

    out: list[str] = []
    seen: set[int] = set()
    text_buf: list[str] = []

    def flush() -> None:
        chunk = "".join(text_buf)
        out.append(html.escape(chunk, quote=False) if masked.fmt == "html" else chunk)
        text_buf.clear()

    i = 0
    while i < len(output):
        c = output[i]
        if c == "\\" and i + 1 < len(output):
            text_buf.append(output[i + 1])
            i += 2
        elif c == "[":
            j, content = i + 1, []
            while j < len(output) and output[j] != "]":
                if output[j] == "\\" and j + 1 < len(output):
                    j += 1
                content.append(output[j])
                j += 1
            flush()
            blank = "".join(content)
            m = ApertiumStyle.token_re.match(blank)
            if m and int(m.group(1)) in masked.spans and int(m.group(1)) not in seen:
                seen.add(int(m.group(1)))
                out.append(masked.spans[int(m.group(1))].restore)
            else:
                out.append(blank)
            i = j + 1
        else:
            text_buf.append(c)
            i += 1
    flush()
    return _append_lost("".join(out), masked, seen)


TOKENS = st.sampled_from(["[tolk1]", "[tolk2]", "[tolk1]", "[tolk3]", "[\\tolk1]", "[tolk\\1]", "[]", "[<b>]"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(STREAM, TOKENS), max_size=6), st.sampled_from(["text", "html"]))
def test_unmask_is_the_character_by_character_unmasking(pieces, fmt):
    from machinery.protection import Span
    from machinery.tokens import ApertiumStyle, Masked

    masked = Masked("", fmt, {1: Span(0, 5, "pii:email", "a@b.c", "a@b.c"),
                              2: Span(6, 9, "term", "Acme", "Acme & Co")})
    output = "".join(pieces)
    assert ApertiumStyle().unmask(output, masked) == _reference_unmask(output, masked)
