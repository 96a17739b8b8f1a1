"""Article markup: the KB's HTML allow-list (nh3), what it drops, and article bodies to sanitized HTML."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

from tolk.errors import ValidationError

ALLOWED_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "a", "b", "strong", "i", "em", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "br", "img",
    "kbd", "samp", "span",
})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "th": {"colspan", "rowspan"},
                      "td": {"colspan", "rowspan"}}
#: Attributes kept on any allowed tag, and only with these values: they mark content as untranslatable.
MARKING_ATTRIBUTES = {"translate": {"no", "yes"}, "class": {"notranslate"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Removed with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "noscript", "svg", "math", "object",
                                  "template", "textarea", "select"})


def sanitize(raw_html: str) -> str:
    """The HTML with only the KB's tags and attributes: no scripts, event handlers or javascript: URLs."""
    return nh3.clean(raw_html, tags=set(ALLOWED_TAGS),
                     attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     tag_attribute_values={tag: {k: set(v) for k, v in MARKING_ATTRIBUTES.items()}
                                           for tag in ALLOWED_TAGS},
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
            if name in MARKING_ATTRIBUTES and (value or "").strip() in MARKING_ATTRIBUTES[name]:
                continue
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


def source_html(body: str, fmt: str) -> str:
    """The sanitized HTML of an article body given as ``html`` or ``markdown``; 400 when it has no text."""
    if fmt not in ("html", "markdown"):
        raise ValidationError("'format' must be one of: html, markdown", details={"field": "format"})
    if fmt == "markdown":
        from workflows.kb.markdown import markdown_to_html  # lazy: markdown-it adds 0.1-0.4 s to start-up

        body = markdown_to_html(body)
    clean = sanitize(body)
    if not html.unescape(re.sub(r"<[^>]*>", "", clean)).strip():
        raise ValidationError("the body has no text left after removing disallowed markup",
                              code="empty_body", details={"field": "body"})
    return clean
