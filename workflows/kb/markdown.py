"""Markdown article bodies to HTML with markdown-it-py: CommonMark, raw HTML shown as text.

The HTML is not safe to show yet: ``workflows.kb.markup.source_html`` sanitizes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from tolk.errors import ValidationError

#: The KB allows headings down to h4 (see ALLOWED_TAGS): deeper ones are shown as h4, not dropped.
_HEADING_TAGS = {"h5": "h4", "h6": "h4"}


class _KbRenderer(RendererHTML):
    """markdown-it's HTML with the KB's layout: one top-level block per line, no line breaks inside
    lists, quotes or code blocks, and line-wrapped paragraphs joined with a space."""

    def renderToken(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        if token.hidden:  # the <p> of a tight list item
            return ""
        tag = _HEADING_TAGS.get(token.tag, token.tag)
        out = ("</" if token.nesting == -1 else "<") + tag + self.renderAttrs(token) + ">"
        return out + "\n" if token.block and token.level == 0 and token.nesting != 1 else out

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        code = token.content.removesuffix("\n")
        return f"<pre><code>{escapeHtml(code)}</code></pre>" + ("\n" if token.level == 0 else "")

    code_block = fence

    def softbreak(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return " "

    def hardbreak(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "<br>"


class _KbMarkdown(MarkdownIt):
    """CommonMark with raw HTML off (HTML typed into Markdown is shown as text, never run)."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False}, renderer_cls=_KbRenderer)

    def validateLink(self, url: str) -> bool:
        # Every link becomes an <a>: ``sanitize`` then drops a URL outside URL_SCHEMES and keeps the link
        # text (as for HTML bodies), where markdown-it would leave "[text](javascript:...)" as text.
        return True


_MARKDOWN = _KbMarkdown()


def _unclosed_fence(tokens: Sequence[Token], lines: Sequence[str]) -> int | None:
    """The line (1-based) of a top-level code fence that runs to the end of the text, if any."""
    for token in tokens:
        if token.type != "fence" or token.level != 0 or not token.map:
            continue
        start, end = token.map
        last = lines[end - 1].strip() if end - 1 > start else ""
        if not (len(last) >= len(token.markup) and set(last) == {token.markup[0]}):
            return start + 1
    return None


def markdown_to_html(text: str) -> str:
    """Convert CommonMark Markdown to HTML (raw HTML in it escaped, headings at most h4); raise
    ValidationError naming the line of a code block that is never closed."""
    tokens = _MARKDOWN.parse(text)
    line = _unclosed_fence(tokens, text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    if line is not None:
        raise ValidationError(f"markdown line {line}: the code block opened here is never closed",
                              code="invalid_markdown", details={"field": "body", "line": line})
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}).strip()
