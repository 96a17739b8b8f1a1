"""KB publishing policy: how a machine-translated locale goes live, and what the editor is told before.

``review``: a native reviewer approves it (critical articles always); ``manual``: the editor publishes the
checked draft after looking (the default); ``auto``: the system publishes it at once, then a sample of
locales is drawn for a reviewer's spot check at the locale profile's sample rate. A locale's own policy
overrides the article's. A draft with a critical check finding goes to review whatever the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tolk.errors import ValidationError
from workflows.kb.models import Article, ArticleLocale, PublishingPolicy

#: What the editor page says will happen once a locale is translated, per policy.
POLICY_NOTES: Mapping[PublishingPolicy, str] = {
    PublishingPolicy.REVIEW: "after translation, a native reviewer checks it; it is published when approved",
    PublishingPolicy.MANUAL: "after translation, the draft waits for you: preview it, then press Publish",
    PublishingPolicy.AUTO: ("after translation, it is published at once by the system (not reviewed first); "
                            "some are drawn for a reviewer's spot check afterwards"),
}


def default_policy(article: Article) -> PublishingPolicy:
    """The article's policy: its own, else ``review`` for critical articles and ``manual`` for the rest."""
    if article.critical:
        return PublishingPolicy.REVIEW
    return article.publishing_policy or PublishingPolicy.MANUAL


def effective_policy(article: Article, row: ArticleLocale) -> PublishingPolicy:
    """How ``row`` goes live: critical articles are always reviewed; else the locale's policy, else the article's."""
    if article.critical:
        return PublishingPolicy.REVIEW
    return row.publishing_policy or default_policy(article)


def parse_policy(value: Any, field: str) -> PublishingPolicy | None:
    """A policy named in a request (None when absent or empty); 400 naming ``field`` otherwise."""
    if value is None or value == "":
        return None
    try:
        return PublishingPolicy(str(value).strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in PublishingPolicy)
        raise ValidationError(f"'{field}' must be one of: {known}", code="invalid_policy",
                              details={"field": field}) from None


def apply_policies(article: Article, article_policy: PublishingPolicy | None,
                   locale_policies: Mapping[str, PublishingPolicy | None], *, clear: bool = False) -> None:
    """Set the article's policy (when given, or cleared) and each named target locale's; 400 for other locales."""
    if article_policy is not None or clear:
        article.publishing_policy = article_policy
    rows = {row.locale: row for row in article.locales}
    for locale, policy in locale_policies.items():
        if locale not in rows:
            raise ValidationError(f"'locale_policies': {locale} is not a target locale of {article.slug!r}",
                                  code="invalid_policy", details={"field": "locale_policies", "locale": locale})
        rows[locale].publishing_policy = policy
