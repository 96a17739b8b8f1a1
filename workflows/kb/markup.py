"""Article markup: the KB's HTML allow-list (nh3), what it drops, and Markdown (markdown-it-py) to HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from tolk.errors import ValidationError

ALLOWED_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "a", "b", "strong", "i", "em", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "br", "img",
})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "th": {"colspan", "rowspan"},
                      "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Removed with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "noscript", "svg", "math", "object",
                                  "template", "textarea", "select"})


def sanitize(raw_html: str) -> str:
    """The HTML with only the KB's tags and attributes: no scripts, event handlers or javascript: URLs."""
    return nh3.clean(raw_html, tags=set(ALLOWED_TAGS),
                     attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), clean_content_tags=set(DROPPED_WITH_CONTENT),
                     link_rel="noopener noreferrer", strip_comments=True).strip()


class _MarkupAudit(HTMLParser):
    """Lists what ``sanitize`` will drop from raw HTML, with line numbers, for the editor."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: list[str] = []

    def _note(self, what: str) -> None:
        line = self.getpos()[0]
        entry = f"{what} (line {line})"
        if entry not in self.removed:
            self.removed.append(entry)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._note(f"<{tag}>")
            return
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                self._note(f"{name} attribute of <{tag}>")
            elif name in ("href", "src") and value and (url := re.match(r"^\s*([a-zA-Z][\w+.-]*):", value)):
                scheme = url.group(1).lower()
                if scheme not in URL_SCHEMES:
                    self._note(f"{scheme}: URL in {name} of <{tag}>")

    def handle_comment(self, data: str) -> None:
        self._note("comment")


def removed_markup(raw_html: str) -> list[str]:
    """What sanitizing drops from ``raw_html``: elements, attributes and URLs, each with its line."""
    parser = _MarkupAudit()
    parser.feed(raw_html)
    parser.close()
    return parser.removed[:50]


# --- Markdown ---------------------------------------------------------------------------------------

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


def source_html(body: str, fmt: str) -> str:
    """The sanitized HTML of an article body given as ``html`` or ``markdown``; 400 when it has no text."""
    if fmt not in ("html", "markdown"):
        raise ValidationError("'format' must be one of: html, markdown", details={"field": "format"})
    clean = sanitize(markdown_to_html(body) if fmt == "markdown" else body)
    if not html.unescape(re.sub(r"<[^>]*>", "", clean)).strip():
        raise ValidationError("the body has no text left after removing disallowed markup",
                              code="empty_body", details={"field": "body"})
    return clean
