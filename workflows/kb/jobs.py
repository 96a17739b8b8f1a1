"""KB translation jobs: one RQ job per article locale, with its progress kept in the database.

A job translates segment by segment in batches, TM first, committing progress after each batch, then
publishes the locale or queues it for review. Re-running it after a crash is safe: batches already
translated come back from the TM as exact matches, and the review item, publication and webhook are
written in the job's final transaction together with the job's ``done`` status.
"""

from __future__ import annotations

import logging
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from flask import current_app
from rq import Retry
from rq.callbacks import Callback
from sqlalchemy.orm import Session

from glossaries.store import load_termbase
from machinery.routing import NoEngineAvailable
from machinery.service import services
from machinery.translator import SegmentResult
from tolk.auth import audit
from tolk.db import db
from tolk.errors import NotFound, ServiceUnavailable, ValidationError
from tolk.queue import DEFAULT_RETRY, queue, task
from workflows import review
from workflows.kb.articles import current_revision, find_locale, revision_of
from workflows.kb.checking import check_segments
from workflows.kb.markup import sanitize
from workflows.kb.models import Article, ArticleLocale, ArticleRevision, LocaleState, PublishingPolicy
from workflows.kb.policy import effective_policy
from workflows.kb.publishing import RETRYING_PREFIX, job_message, publish, review_text
from workflows.kb.segmentation import Segment, reassemble, segment, with_texts
from workflows.kb.untranslatable import mask, unmask
from workflows.locales import ProfileView, effective_profile
from workflows.models import JobStatus, TranslationJob
from workflows.routing import sampled

log = logging.getLogger(__name__)

#: Segments per engine request (DeepL's own request size): fewer, fuller requests keep Apertium's pipeline busy
#: and cost less per segment than batches of 20 did; progress is shown batch by batch.
BATCH_SIZE = 50
#: Progress of batches the translation memory served is committed once this many seconds have passed since the
#: last commit, so a re-run served by the TM does not commit per batch; a batch an engine translated is committed
#: at once (its metering rows must survive a crash).
PROGRESS_SECONDS = 0.5
#: How RQ retries a translation job (engine errors, a worker that died); tests shorten the intervals.
TRANSLATION_RETRY: Retry = DEFAULT_RETRY
JOB_TIMEOUT = 1800
#: Draws the spot checks of automatically published locales (None: the module's own random generator).
SPOT_CHECK_RNG: random.Random | None = None
#: Test hook: seconds to sleep after each batch, so a test can kill a worker mid-job.
BATCH_PAUSE_ENV = "TOLK_TEST_KB_BATCH_PAUSE"


def _job_ref(row: ArticleLocale) -> str:
    return f"article_locale:{row.id}"


def prepare_jobs(session: Session, article: Article, locales: Sequence[str] | None, actor: str
                 ) -> list[TranslationJob]:
    """Job rows for the current revision in each locale (all targets by default), locales ``translating``.

    A locale already translating is taken over by the new job (the old one finds itself superseded).
    """
    wanted = list(locales) if locales else list(article.target_locales)
    if not wanted:
        raise ValidationError("the article has no target locales", details={"field": "locales"})
    rows = []
    for locale in wanted:
        try:
            rows.append(find_locale(article, locale))
        except NotFound as exc:
            raise ValidationError(f"{locale} is not a target locale of {article.slug!r}",
                                  details={"field": "locales", "locale": locale}) from exc
    jobs = []
    for row in rows:
        job = TranslationJob(id=f"kb-{uuid.uuid4().hex}", kind="article", object_ref=_job_ref(row),
                             status=JobStatus.QUEUED, total=len(current_revision(article).segments) + 1)
        session.add(job)
        row.state, row.job_id, row.draft_revision = LocaleState.TRANSLATING, job.id, article.current_revision
        jobs.append(job)
    audit("article.translate", "article", article.slug, actor=actor, detail={"locales": wanted}, sess=session)
    return jobs


def start_translation(session: Session, article: Article, locales: Sequence[str] | None, actor: str
                      ) -> list[TranslationJob]:
    """Queue one translation job per locale (all targets by default) and commit; 503 if Redis is down."""
    before = {row.id: (row.state, row.job_id, row.draft_revision) for row in article.locales}
    jobs = prepare_jobs(session, article, locales, actor)
    session.commit()
    try:
        q = queue()
        for job in jobs:
            q.enqueue(translate_locale, job.id, job_id=job.id, retry=TRANSLATION_RETRY, job_timeout=JOB_TIMEOUT,
                      on_failure=Callback(on_job_failure), result_ttl=86400, failure_ttl=7 * 86400)
    except Exception as exc:  # noqa: BLE001 - Redis unreachable: no job will run, say so everywhere
        for job in jobs:
            job.status, job.error = JobStatus.FAILED, f"could not queue the job: {type(exc).__name__}: {exc}"[:4000]
            row = _locale_of(session, job)
            if row is not None and row.job_id == job.id:
                # Nothing was queued, so nothing changed: the locale is as it was (a live version stays live).
                row.state, row.job_id, row.draft_revision = before[row.id]
        session.commit()
        raise ServiceUnavailable("the job queue is unavailable; nothing was queued",
                                 code="queue_unavailable") from exc
    return jobs


def _locale_of(session: Session, job: TranslationJob) -> ArticleLocale | None:
    kind, _, ident = job.object_ref.partition(":")
    if kind != "article_locale" or not ident.isdigit():
        return None
    return session.get(ArticleLocale, int(ident))


def _mark_failed(session: Session, job: TranslationJob, error: str) -> None:
    job.status, job.error = JobStatus.FAILED, error[:4000]
    row = _locale_of(session, job)
    if row is not None and row.job_id == job.id:
        row.state = LocaleState.FAILED


@task
def record_job_failure(job_id: str, error: str, final: bool) -> None:
    """Note a failed attempt; the final one marks the job and its locale ``failed`` (never left translating)."""
    with current_app.app_context():
        session = db.session
        job = session.get(TranslationJob, job_id)
        if job is None or job.status == JobStatus.DONE:
            return
        if final:
            _mark_failed(session, job, error)
        else:
            job.status, job.error = JobStatus.QUEUED, f"{RETRYING_PREFIX}{error}"[:4000]
        session.commit()


def on_job_failure(rq_job: Any, _connection: Any, exc_type: type | None, exc_value: BaseException | None,
                   traceback: Any) -> None:
    """RQ failure callback, also run for jobs whose worker died (``AbandonedJobError``).

    The traceback goes to the log only; the job keeps the exception's one-line summary for the admin."""
    name = exc_type.__name__ if exc_type else "Error"
    message = f"{name}: {exc_value}" if str(exc_value or "") else name
    exc_info = (exc_type, exc_value, traceback) if exc_type is not None and exc_value is not None else None
    log.error("KB translation job %s failed: %s", rq_job.id, message, exc_info=exc_info)
    record_job_failure(rq_job.id, message, not rq_job.should_retry)


@task
def translate_locale(job_id: str) -> str:
    """RQ job: translate one article locale, then publish it or queue it for review."""
    with current_app.app_context():  # a session of its own, whatever ran before
        return run_translation(db.session, job_id)


def _pause() -> None:
    pause = os.environ.get(BATCH_PAUSE_ENV)
    if pause:
        time.sleep(float(pause))


def default_termbase(session: Session) -> Any:
    """The glossary KB translations use (``DEFAULT_GLOSSARY``), or None when it is unset or missing."""
    name = current_app.config.get("DEFAULT_GLOSSARY")
    if not name:
        return None
    try:
        return load_termbase(session, name)
    except NotFound:
        return None


def run_translation(session: Session, job_id: str) -> str:
    """The body of ``translate_locale``: idempotent, so a retried or re-run job never duplicates work."""
    job = session.get(TranslationJob, job_id)
    if job is None:
        return "missing"
    if job.status == JobStatus.DONE:
        return "done"
    row = _locale_of(session, job)
    if row is None or row.job_id != job.id:
        job.status, job.error = JobStatus.DONE, "superseded by a newer translation request"
        session.commit()
        return "superseded"
    article = row.article
    revision = revision_of(article, row.draft_revision) or current_revision(article)
    segments = segment(revision.body_html, article.source_locale)
    job.status, job.attempts, job.done, job.total = JobStatus.RUNNING, job.attempts + 1, 0, len(segments) + 1
    row.state = LocaleState.TRANSLATING
    session.commit()

    profile = effective_profile(session, row.locale)
    options = {"glossary": default_termbase(session), "tm_context": f"kb:{article.id}",
               "formality": profile.formality if profile.formality in ("formal", "informal") else None,
               "content_type": "kb"}
    translator = services().translator
    source, target = article.source_locale, row.locale
    try:
        committed = time.monotonic()
        title = translator.translate(session, [revision.title], source, target, fmt="text", **options)[0]
        job.done = 1
        if title.engine != "tm":  # its metering is committed at once, as a batch's
            session.commit()
            committed = time.monotonic()
        results: list[SegmentResult] = []
        for start in range(0, len(segments), BATCH_SIZE):
            # Code, keys, sample output and translate="no" content never reach the engine.
            masked = [mask(s.text_html) for s in segments[start:start + BATCH_SIZE]]
            batch = [text for text, _kept in masked]
            done = translator.translate(session, batch, source, target, fmt="html", **options)
            results.extend(replace(r, text=unmask(r.text, kept)) for r, (_text, kept) in zip(done, masked, strict=True))
            job.done += len(batch)
            # A batch an engine translated (not the TM) wrote metering rows: committed at once, so a crash cannot
            # lose them; batches the TM served commit at most every PROGRESS_SECONDS.
            paid = any(r.engine != "tm" for r in done)
            if paid or time.monotonic() - committed >= PROGRESS_SECONDS:
                session.commit()
                committed = time.monotonic()
            _pause()
    except NoEngineAvailable as exc:
        job.error = str(exc)[:4000]
        session.commit()  # keep the metering of the failed attempts
        if not exc.unserved:
            raise  # every engine failed: RQ retries; the last failure marks the locale failed
        _queue_human_translation(session, row, revision, profile, str(exc))
        job.status, job.done, job.error = JobStatus.DONE, job.total, None
        session.commit()
        return "human_translation"

    _finish(session, row, revision, segments, title, results, profile)
    job.status, job.done, job.error = JobStatus.DONE, job.total, None
    session.commit()
    return str(row.state)


def _queue_human_translation(session: Session, row: ArticleLocale, revision: ArticleRevision, profile: ProfileView,
                             why: str) -> None:
    article = row.article
    row.draft_html, row.draft_title, row.draft_segments, row.findings = None, None, [], []
    row.machine_segments = None
    review.enqueue(session, kind="article", object_id=row.id, source_lang=article.source_locale,
                   target_lang=row.locale, source_text=review_text(revision.title, revision.body_html),
                   mt_text=None, engine=None, channel=None, content_type="article", task="translate",
                   reasons=[{"code": "no_engine", "message": why}],
                   sla_minutes=dict(profile.sla_minutes or {}), holidays=list(profile.holidays or []))
    row.state = LocaleState.IN_REVIEW


def _finish(session: Session, row: ArticleLocale, revision: ArticleRevision, segments: Sequence[Segment],
            title: Any, results: Sequence[Any], profile: ProfileView) -> None:
    """Store the draft, run the checks, then publish it or queue it for review (one transaction)."""
    article = row.article
    texts = [r.text for r in results]
    findings = check_segments(segments, texts, article.source_locale, row.locale,
                              dict(profile.check_config or {}))
    for i, r in enumerate(results):
        findings.extend({**f, "segment": i} for f in r.term_findings)
    draft = sanitize(reassemble(revision.body_html, with_texts(segments, texts)))
    row.draft_html, row.draft_title, row.draft_segments, row.findings = draft, title.text, texts, findings
    row.machine_segments = list(texts)
    critical = [f for f in findings if f.get("severity") == "critical"]
    engines = Counter(r.engine for r in [title, *results] if r.engine != "tm")
    engine = engines.most_common(1)[0][0] if engines else "tm"
    policy = effective_policy(article, row)
    queue_for_review = partial(review.enqueue, session, kind="article", object_id=row.id,
                               source_lang=article.source_locale, target_lang=row.locale,
                               source_text=review_text(revision.title, revision.body_html),
                               mt_text=review_text(title.text, draft), engine=engine, channel=None,
                               content_type="article", findings=findings,
                               sla_minutes=dict(profile.sla_minutes or {}), holidays=list(profile.holidays or []))
    if policy == PublishingPolicy.REVIEW or critical:
        reasons = []
        if article.critical:
            reasons.append({"code": "critical_article",
                            "message": "critical articles are published after native review"})
        elif policy == PublishingPolicy.REVIEW:
            reasons.append({"code": "locale:always_review", "message": "the publishing policy is review"})
        if critical:
            reasons.append({"code": "quality:critical_check",
                            "message": f"{len(critical)} critical check finding(s) in the translation"})
        queue_for_review(reasons=reasons)
        row.state = LocaleState.IN_REVIEW
        return
    if policy == PublishingPolicy.MANUAL:
        row.state = LocaleState.READY  # the editor publishes it after looking
        return
    publish(session, row, body_html=draft, title=title.text, revision=revision.number, segments=texts,
            actor="system", policy=policy)
    if sampled(profile.sample_rate, SPOT_CHECK_RNG):
        queue_for_review(spot_check=True, reasons=[{
            "code": "spot_check", "message": "published automatically (policy auto); drawn for a spot check"}])


def job_to_dict(session: Session, job: TranslationJob) -> dict[str, Any]:
    """A job's status and progress for ``GET /api/v1/jobs/<id>``."""
    row = _locale_of(session, job)
    obj: dict[str, Any] = {"type": job.object_ref.partition(":")[0]}
    if row is not None:
        obj.update(article=row.article.slug, locale=row.locale)
    return {"id": job.id, "kind": job.kind, "status": job.status.value, "done": job.done, "total": job.total,
            "error": job.error, "message": job_message(job), "attempts": job.attempts, "object": obj,
            "created_at": job.created_at.isoformat(), "updated_at": job.updated_at.isoformat()}
