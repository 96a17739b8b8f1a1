"""Demo KB content: two articles for a fresh install, seeded idempotently."""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.kb.articles import create_article
from workflows.kb.markup import sanitize
from workflows.kb.models import Article


class DemoArticle(TypedDict):
    """A demo article as :func:`seed_demo_articles` creates it."""

    slug: str
    title: str
    critical: bool
    targets: list[str]
    body: str  # source HTML, sanitized when seeded


DEMO_ARTICLES: list[DemoArticle] = [
    {"slug": "how-refunds-work", "title": "How refunds work", "critical": True, "targets": ["es", "ca", "pl"],
     "body": (
         "<p>When you return an item within 30 days, we refund the full price to your original payment "
         "method. Refunds are processed within five business days after we receive the item.</p>"
         "<h2>Before you start</h2>"
         "<ul><li>Keep your order number at hand.</li><li>Pack the item in its original box.</li>"
         "<li>Print the return label from <a href=\"https://example.com/account\">your account</a>.</li></ul>"
         "<p>Shipping costs are refunded only when the item arrived damaged. "
         "If you paid with a gift card, the refund goes back to that card.</p>")},
    {"slug": "tracking-your-order", "title": "Tracking your order", "critical": False, "targets": ["es", "ca"],
     "body": (
         "<p>As soon as your order ships, we send you an email with a tracking link.</p>"
         "<p>Open the link to see where your parcel is. Tracking can take a day to show the first update.</p>"
         "<ol><li>Sign in to your account.</li><li>Open <b>Orders</b>.</li>"
         "<li>Choose the order and click <b>Track</b>.</li></ol>")},
]


def seed_demo_articles(session: Session) -> None:
    """Load the demo articles (a critical refunds article and a non-critical tracking one); idempotent."""
    for demo in DEMO_ARTICLES:
        if session.scalar(select(Article.id).where(Article.slug == demo["slug"])) is not None:
            continue
        create_article(session, slug=demo["slug"], title=demo["title"], body_html=sanitize(demo["body"]),
                       source_locale="en", critical=demo["critical"], target_locales=demo["targets"],
                       author="kim")
    session.flush()
