"""Reviewer pages: the review queue, and one item with glossary terms highlighted, approved or rejected
with MQM annotations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from glossaries.store import load_termbase
from glossaries.terms import Termbase
from glossaries.verify import find_terms
from lqa.models import QualityRecord
from lqa.mqm import CATEGORIES, SEVERITIES
from tolk.auth import require, signed_in_user
from tolk.db import db
from tolk.errors import NotFound, ValidationError
from tolk.models import Role, User
from tolk.pagination import first_page_url, more_than, next_page_url, page_request
from tolk.web import commit_or_rollback, marked, page_errors
from workflows import replies, review
from workflows.kb.models import ArticleLocale
from workflows.models import Reply, ReviewItem, ReviewStatus
from workflows.pages.display import finding_spans

bp = Blueprint("review_pages", __name__)
page_errors(bp)


def _item_title(item: ReviewItem) -> str:
    if item.kind == "reply":
        reply = db.session.get(Reply, item.object_id)
        return _("Reply for ticket %(ticket)s", ticket=reply.ticket_ref) if reply else _("Reply")
    if item.kind == "article":
        row = db.session.get(ArticleLocale, item.object_id)
        if row is not None:
            return _("Article %(slug)s", slug=row.article.slug)
    return f"{item.kind} {item.object_id}"


#: Review items per page of the queue (default, maximum).
QUEUE_PAGE = (50, 200)


@bp.get("/review")
@require(Role.REVIEWER)
def review_queue():
    user = signed_in_user()
    status = request.args.get("status", "pending")
    if status not in {s.value for s in ReviewStatus}:
        raise ValidationError(f"unknown status {status!r}")
    wanted = page_request(default=QUEUE_PAGE[0], maximum=QUEUE_PAGE[1])
    page = more_than(review.visible_items(db.session, user, status=status, limit=wanted.limit + 1,
                                          after=review.position_from_key(wanted.after)), wanted, review.queue_position)
    ids = {i.assignee_id for i in page.items if i.assignee_id is not None}
    users = {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    rows = [{"item": i, "title": _item_title(i),
             "assignee": users.get(i.assignee_id) if i.assignee_id is not None else None} for i in page.items]
    return render_template("review/queue.html", rows=rows, status=status, statuses=[s.value for s in ReviewStatus],
                           next_url=next_page_url(page), first_url=first_page_url())


def _termbase() -> Termbase | None:
    name = current_app.config.get("DEFAULT_GLOSSARY")
    if not name:
        return None
    try:
        return load_termbase(db.session, name)
    except NotFound:
        return None


def _glossary_terms(item: ReviewItem) -> tuple[list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Glossary terms found in the source: spans to highlight, and each term with its target equivalents."""
    termbase = _termbase()
    if termbase is None:
        return [], []
    spans, terms, seen = [], [], set()
    for start, end, concept in find_terms(item.source_text, termbase, item.source_lang):
        allowed = [t.text for t in concept.allowed(item.target_lang)]
        spans.append((start, end, _("Glossary: %(target)s", target=", ".join(allowed) or "-")))
        key = item.source_text[start:end].lower()
        if key not in seen:
            seen.add(key)
            terms.append({"source": item.source_text[start:end], "targets": allowed,
                          "do_not_translate": concept.do_not_translate, "note": concept.note})
    return spans, terms


def annotation_spans(record: QualityRecord | None, on: str) -> list[tuple[int, int, str]]:
    """(start, end, title) of the record's annotations anchored in the ``on`` text ("mt" or "final");
    rows from before anchors were kept are spans in the final text (in the machine text when rejected)."""
    if record is None:
        return []
    unanchored = "mt" if record.final_text is None else "final"
    return [(a.span_start, a.span_end, f"{a.severity}: {a.category}" + (f" ({a.note})" if a.note else ""))
            for a in record.annotations
            if a.span_start is not None and a.span_end is not None and (a.anchored_on or unanchored) == on]


@bp.get("/review/<int:item_id>")
@require(Role.REVIEWER)
def review_item(item_id: int):
    user = signed_in_user()
    item = review.get_item(db.session, user, item_id)
    term_spans, terms = _glossary_terms(item)
    history = review.quality_history(db.session, item)
    record = review.decision_record(item, history)
    texts: dict[str, Any] = {"mt_text": item.mt_text, "final_text": item.final_text}
    if review.sees_customer_data(user, item):
        source = marked(item.source_text, term_spans, css="term")
        machine = marked(item.mt_text, finding_spans(item.findings) + annotation_spans(record, "mt"))
        final = marked(item.final_text, annotation_spans(record, "final"), css="mqm")
    else:  # customer data as tokens; the highlights' offsets belong to the real text
        texts = review.protected_texts(db.session, item)
        source, machine = marked(texts["source_text"], []), marked(texts["mt_text"], [])
        final = marked(texts["final_text"], [])
    return render_template(
        "review/item.html", item=item, title=_item_title(item), source=source, machine=machine, terms=terms,
        texts=texts, final=final, record=record, history=history,
        shows_text=review.sees_customer_data(user, item), context=replies.ticket_context(db.session, item, user),
        decidable=item.status in (ReviewStatus.PENDING, ReviewStatus.ESCALATED),
        categories=sorted(CATEGORIES), severities=[s.value for s in SEVERITIES])


def _lf(text: str) -> str:
    # Browsers send line breaks in form values as CRLF; the texts and their offsets use LF.
    return text.replace("\r\n", "\n")


def _annotations() -> list[dict[str, Any]]:
    """MQM annotation rows of the review form; rows without a category are blank and skipped."""
    form = request.form
    names = ("category", "severity", "start", "end", "note", "on", "quote", "prefix", "suffix")
    columns = [form.getlist(f"ann_{name}") for name in names]
    # A row without JavaScript may leave fields out entirely: pad every column to the longest.
    size = max(len(c) for c in columns)
    columns = [c + [""] * (size - len(c)) for c in columns]
    rows = []
    for number, (category, severity, start, end, note, on, quote, prefix, suffix) in enumerate(
            zip(*columns, strict=True), start=1):
        if not category.strip():
            continue
        row: dict[str, Any] = {"category": category, "severity": severity, "note": note.strip() or None,
                               "on": on or None, "quote": _lf(quote) or None, "prefix": _lf(prefix), "suffix": _lf(suffix)}
        for key, raw in (("start", start), ("end", end)):
            raw = raw.strip()
            if raw and not raw.isdigit():
                raise ValidationError(_("Annotation %(n)d: %(field)s must be a whole number.", n=number, field=key))
            row[key] = int(raw) if raw else None
        rows.append(row)
    return rows


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


@bp.post("/review/<int:item_id>/approve")
@require(Role.REVIEWER)
def review_approve(item_id: int):
    user = signed_in_user()
    item = review.get_item(db.session, user, item_id)
    # Browsers send textarea line breaks as CRLF; the machine text and annotation offsets use LF.
    text = request.form.get("text")
    text = text.replace("\r\n", "\n") if text is not None else None
    commit_or_rollback(lambda: review.approve(db.session, item, user, text=text, annotations=_annotations(),
                                              version=_version()))
    edited = item.final_text != item.mt_text
    flash(_("Approved with edits.") if edited else _("Approved."), "success")
    return redirect(url_for("review_pages.review_queue"), code=303)


@bp.post("/review/<int:item_id>/reject")
@require(Role.REVIEWER)
def review_reject(item_id: int):
    user = signed_in_user()
    item = review.get_item(db.session, user, item_id)
    reason = request.form.get("reason", "").strip()
    commit_or_rollback(lambda: review.reject(db.session, item, user, reason=reason, annotations=_annotations(),
                                             version=_version()))
    flash(_("Rejected: the author has been told why."), "success")
    return redirect(url_for("review_pages.review_queue"), code=303)
