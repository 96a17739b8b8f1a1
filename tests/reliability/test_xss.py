"""Script injection through the KB: known payloads in article saves, Markdown, Apertium translation, a
reviewer's edited approval and publishing never survive in stored HTML or the public page; a real
browser loading the page runs nothing."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests.conftest import run_jobs
from tests.factories import ALWAYS_ON, make_article, pending_review
from tolk.db import db
from workflows.kb.models import ArticleLocale, ArticleRevision

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">open</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">hex</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href=" javascript:alert(1)">space</a>',
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img src="x:alert(alt)" onerror="eval(src)" alt="0">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<object data="javascript:alert(1)"></object>',
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    "<body onload=alert(1)>",
    '<p onmouseover="alert(1)">hover</p>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
]
ACTIVE_TAGS = {"script", "iframe", "svg", "object", "embed", "math", "form", "base", "meta", "style", "link",
               "body", "frame", "frameset", "button", "input"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.I)


class _Markup(HTMLParser):
    """Every element and attribute of a document, as a browser would see them (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k.lower(): v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def dangers(document: str, allowed_tags: frozenset[str] = frozenset()) -> list[str]:
    """What in ``document`` could run script: active elements, event handlers, style, script URLs."""
    parser = _Markup()
    parser.feed(document)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag in ACTIVE_TAGS - allowed_tags or "script" in tag:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name in ("style", "formaction", "xlink:href", "srcdoc"):
                found.append(f"{name} on <{tag}>")
            elif name in ("href", "src", "action", "data", "content") and BAD_SCHEME.match(
                    re.sub(r"[\x00-\x20]", "", unescape(value))):
                found.append(f"{name}={value!r} on <{tag}>")
    return found


def test_the_detector_sees_every_payload():
    """Each payload is caught by ``dangers`` before sanitizing, so a clean result below means something."""
    missed = [p for p in PAYLOADS if not dangers(p) and not p.startswith("&lt;")]
    assert missed == []


BODY = "<p>Returns are free within 30 days.</p>\n" + "\n".join(
    f"<p>Payload {n}: {payload} text after it.</p>" for n, payload in enumerate(PAYLOADS))


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", languages="es", name="lucia", **ALWAYS_ON)[1]


def _stored_html(app) -> list[tuple[str, str]]:
    with app.app_context():
        out = [(f"revision {r.number}", r.body_html) for r in db.session.scalars(select(ArticleRevision))]
        for row in db.session.scalars(select(ArticleLocale)):
            out += [(f"{row.locale} draft", row.draft_html or ""), (f"{row.locale} published", row.published_html or "")]
        return out


def _public_page(client, slug: str) -> str:
    page = client.get(f"/kb/es/{slug}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


# The public page's own markup: styles, meta, the search form and the links to other language versions.
PAGE_CHROME = frozenset({"style", "meta", "body", "link", "form", "input", "button"})


def _publish_with_payloads(app, client, editor, reviewer, slug: str = "returns", fmt: str = "html") -> str:
    """Save, translate (Apertium), then approve a reviewer's edit full of payloads; the public page."""
    body = BODY if fmt == "html" else "Returns are free.\n\n" + "\n\n".join(PAYLOADS) + "\n\n[x](javascript:alert(1))"
    created = make_article(client, editor, slug=slug, title="<script>alert('title')</script> Returns", body=body,
                           format=fmt, critical=True)
    assert created.status_code == 201, created.get_json()
    assert client.post(f"/api/v1/articles/{slug}/translate", headers=editor).status_code == 202
    run_jobs(app)
    item_id, task, mt_text, _ct, _ch = pending_review(app)
    assert task == "review" and mt_text
    edited = mt_text + "\n" + "\n".join(f"<p>{p}</p>" for p in PAYLOADS)
    approved = client.post(f"/api/v1/reviews/{item_id}/approve", headers=reviewer, json={"text": edited})
    assert approved.status_code == 200, approved.get_json()
    return _public_page(client, slug)


def test_payloads_survive_nowhere_from_save_to_public_page(app, client, editor, reviewer):
    page = _publish_with_payloads(app, client, editor, reviewer)
    # An edit of the source with new payloads is a new, equally clean revision.
    updated = client.put("/api/v1/articles/returns", headers=editor, json={"body": BODY + "<p>One more line.</p>"})
    assert updated.status_code == 200 and updated.get_json()["revision"] == 2
    assert len(updated.get_json()["sanitizer_removed"]) >= 10
    stored = _stored_html(app)
    assert len(stored) == 4 and all(html for _where, html in stored)
    for where, html in stored:
        assert dangers(html) == [], where
    assert dangers(page, allowed_tags=PAGE_CHROME) == []
    assert page.count("<style") == 1 and page.count("<meta") == 2 and page.count("<body") == 1
    assert "Payload 23" in page  # the text around each payload is still published
    print(f"\nxss: {len(PAYLOADS)} payloads through save, Apertium, review edit and publish; survivors: 0")


def test_markdown_payloads_become_text_or_go(app, client, editor, reviewer):
    page = _publish_with_payloads(app, client, editor, reviewer, slug="returns-md", fmt="markdown")
    for where, html in _stored_html(app):
        assert dangers(html) == [], where
    assert dangers(page, allowed_tags=PAGE_CHROME) == []


@pytest.mark.browser
def test_a_browser_loading_the_published_page_runs_no_script(app, client, editor, reviewer, browser, live_url):
    _publish_with_payloads(app, client, editor, reviewer)
    context = browser.new_context()
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        # The listener works: an unsanitized payload does raise a dialog here.
        page.set_content("<img src=x onerror=alert('control')>")
        page.wait_for_function("() => document.readyState === 'complete'")
        page.wait_for_timeout(300)
        assert dialogs == ["control"]
        dialogs.clear()

        page.goto(f"{live_url}/kb/es/returns", wait_until="load")
        # The page's own search form is outside the article; a payload's form would be inside it.
        for link in page.locator("article a").all():
            link.hover()
        page.wait_for_timeout(500)
        injected = page.evaluate("""() => document.querySelectorAll(
            'script, iframe, svg, object, embed, math, article form, article style, [onerror], [onload], [onclick],'
            + '[onmouseover], [style], a[href^="javascript"], a[href^="data"]').length""")
        assert "<" in page.locator("article h1").inner_text()  # the markup in the title is shown as text
    finally:
        context.close()
    assert dialogs == [] and injected == 0
