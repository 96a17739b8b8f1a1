"""KB articles: sanitized revisions, per-locale translation jobs with progress, review and publishing.

An article has a source revision per save and one ``ArticleLocale`` per target locale, whose state is
missing -> translating -> in_review -> published, or failed, and outdated when the source changed after
publishing (``outdated_segments`` names the changed source segments).

The package, by concern: ``markup`` (the HTML allow-list, Markdown), ``segmentation`` (sentences with
their inline markup), ``articles`` (articles and revisions), ``publishing`` (the live version, review
outcomes), ``jobs`` (RQ translation jobs) and ``demo`` (demo content). This module is its public face.
"""

from __future__ import annotations

from workflows.kb.articles import (
    MAX_ARTICLE_CHARS,
    MAX_TITLE_CHARS,
    changed_segments,
    create_article,
    current_revision,
    find_locale,
    get_article,
    revision_of,
    segment_diff,
    text_direction,
    update_article,
)
from workflows.kb.demo import DEMO_ARTICLES, seed_demo_articles
from workflows.kb.jobs import (
    BATCH_PAUSE_ENV,
    job_to_dict,
    on_job_failure,
    prepare_jobs,
    run_translation,
    start_translation,
    translate_locale,
)
from workflows.kb.markup import removed_markup, sanitize, source_html
from workflows.kb.publishing import (
    article_to_dict,
    locale_to_dict,
    on_review_decided,
    public_path,
    publish_draft,
)

# ``translate_locale`` and ``on_job_failure`` are here because RQ stores a job's function and failure
# callback by dotted path: jobs queued before the package split name them ``workflows.kb.<name>``.
__all__ = [
    "BATCH_PAUSE_ENV",
    "DEMO_ARTICLES",
    "MAX_ARTICLE_CHARS",
    "MAX_TITLE_CHARS",
    "article_to_dict",
    "changed_segments",
    "create_article",
    "current_revision",
    "find_locale",
    "get_article",
    "job_to_dict",
    "locale_to_dict",
    "on_job_failure",
    "on_review_decided",
    "prepare_jobs",
    "public_path",
    "publish_draft",
    "removed_markup",
    "revision_of",
    "segment_diff",
    "run_translation",
    "sanitize",
    "seed_demo_articles",
    "source_html",
    "start_translation",
    "text_direction",
    "translate_locale",
    "update_article",
]
