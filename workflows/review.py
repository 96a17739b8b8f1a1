"""Review queues: items wait for a native reviewer on shift, ordered by SLA deadline.

Each assignment has a deadline from the locale's SLA and an at-risk time; the SLA sweep
(``workflows.sweep``) tells assignees whose deadline is near and hands overdue items on.

Approving writes the final text to the translation memory as human-approved (customer data as tokens,
see machinery.memory), records MT and final
text (and MQM annotations) for LQA, and tells the owner of the item (a reply, a KB article locale)
through the ``ON_DECIDED`` table (``workflows.review_hooks``), so this module knows nothing of replies or articles.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from lqa.anchors import TextQuote, locate, quote_of
from lqa.models import MqmAnnotationRow, QualityRecord
from lqa.mqm import count_words, validate_category, validate_severity
from machinery.models import TmOrigin
from machinery.protection import MEMORY_TOKEN, memory_form, memory_translation, restore_memory_tokens
from machinery.service import services
from tolk.auth import audit, require_language
from tolk.db import db, insert_at_once, utcnow
from tolk.errors import Conflict, NotFound, ValidationError
from tolk.languages import base, covers
from tolk.models import Role, User
from tolk.queue import task
from workflows import notify
from workflows.models import ReviewItem, ReviewStatus
from workflows.review_hooks import CUSTOMER_OF, ON_DECIDED
from workflows.sla import (
    Assignment,
    Reviewer,
    assign,
    at_risk_time,
    deadline,
    escalation_owner,
)
from workflows.sweep import at_risk_percent, schedule_deadline_check, sweep

TERM_CHECKS = ("glossary_term", "do_not_translate", "forbidden_term", "glossary_protected")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    """Where an item will go: its deadline and its reviewer (or the escalation), as :func:`place` picked them."""

    now: dt.datetime
    due: dt.datetime
    assignment: Assignment


def place(session: Session, *, target_lang: str, channel: str | None, content_type: str,
          sla_minutes: dict[str, int] | None = None, holidays: Sequence[str] = (),
          now: dt.datetime | None = None) -> Placement:
    """The SLA deadline and reviewer of an item about to be queued: a caller that must know them before it
    writes anything (a drafted reply: held for review, or its agent confirms) picks them here first."""
    now = now or utcnow()
    due = deadline(now, channel or content_type, sla_minutes)
    return Placement(now, due, assign(session, target_lang, now, due, holidays))


@dataclass(frozen=True)
class Queued:
    """An item just queued, and the reviewer it went to (None: nobody reviews its language; an owner holds it)."""

    item: ReviewItem
    reviewer: Reviewer | None


def enqueue(session: Session, *, kind: str, object_id: int, source_lang: str, target_lang: str,
            source_text: str, mt_text: str | None, engine: str | None, channel: str | None,
            content_type: str, reasons: Sequence[dict], findings: Sequence[dict] = (), task: str = "review",
            spot_check: bool = False, terms_checked: int = 0, sla_minutes: dict[str, int] | None = None,
            holidays: Sequence[str] = (), now: dt.datetime | None = None, placement: Placement | None = None,
            status: ReviewStatus = ReviewStatus.PENDING) -> Queued:
    """Queue an item for a native reviewer with its SLA deadline and an assignee (or an escalation), as
    ``placement`` picked them (else :func:`place` now). ``status`` ``escalated``: its agent decides instead."""
    if placement is None:
        placement = place(session, target_lang=target_lang, channel=channel, content_type=content_type,
                          sla_minutes=sla_minutes, holidays=holidays, now=now)
    now, due, assignment = placement.now, placement.due, placement.assignment
    item = ReviewItem(kind=kind, object_id=object_id, source_lang=source_lang, target_lang=target_lang,
                      channel=channel, content_type=content_type, task=task, spot_check=spot_check, status=status,
                      reasons=list(reasons), source_text=source_text, mt_text=mt_text, engine=engine,
                      findings=list(findings), terms_checked=terms_checked, queued_at=now, due_at=due,
                      assignee_id=assignment.reviewer.id if assignment.reviewer else None,
                      escalation=assignment.escalation, at_risk_at=at_risk_time(now, due, at_risk_percent()))
    if assignment.reviewer is None:  # nobody reviews the language: an owner holds it from the start
        owner = escalation_owner(session)
        item.owner_id = owner.id if owner else None
    insert_at_once(session, item)  # its id now, without a flush of the unit of work
    if assignment.reviewer is not None:
        notify.review_assigned(session, item)
    else:
        notify.review_escalated(session, item)
    return Queued(item, assignment.reviewer)


@task
def check_deadline(item_id: int) -> None:
    """RQ job at an item's at-risk time, then at its deadline (``workflows.sweep.CHECK_DEADLINE``): the sweep,
    and for an item still pending the job of its deadline (a new deadline, after a reassignment, has its own)."""
    item = db.session.get(ReviewItem, item_id)
    if item is not None and item.status == ReviewStatus.PENDING:
        sweep(db.session)
        db.session.commit()
        if item.status == ReviewStatus.PENDING and item.due_at > utcnow():
            schedule_deadline_check(item)


def visible_items(session: Session, user: User, *, lang: str | None = None, status: str | None = "pending",
                  limit: int = 200, after: tuple[dt.datetime, int] | None = None) -> list[ReviewItem]:
    """The queue a user may see: reviewers only their languages, ordered by SLA deadline; ``after`` (a
    deadline and an id, see :func:`queue_position`) starts after that item, for the next page. The default
    (pending) queue also holds the escalated items the user owns."""
    query = select(ReviewItem).order_by(ReviewItem.due_at, ReviewItem.id)
    if after is not None:
        query = query.where(or_(ReviewItem.due_at > after[0],
                                and_(ReviewItem.due_at == after[0], ReviewItem.id > after[1])))
    if status:
        wanted = ReviewItem.status == ReviewStatus(status)
        if status == ReviewStatus.PENDING:
            wanted = or_(wanted, and_(ReviewItem.status == ReviewStatus.ESCALATED, ReviewItem.owner_id == user.id))
        query = query.where(wanted)
    if lang:
        require_language(user, lang)
        query = query.where(ReviewItem.target_lang == lang)
    if user.role == Role.REVIEWER:
        # In SQL, before the limit: the first ``limit`` items of the whole queue may all be in other languages.
        # SQL narrows to the reviewer's base languages; ``covers`` then applies script and region.
        bases = sorted({base(x) for x in user.language_list})
        if not bases:
            return []
        query = query.where(or_(*(ReviewItem.target_lang == b for b in bases),
                                *(ReviewItem.target_lang.like(f"{b}-%") for b in bases)))
        mine = (i for i in session.scalars(query) if covers(user.language_list, i.target_lang))
        return list(itertools.islice(mine, limit))
    return list(session.scalars(query.limit(limit)))


def queue_position(item: ReviewItem) -> list[int | str]:
    """Where an item stands in the queue's order, as a page cursor's key."""
    return [item.due_at.isoformat(), item.id]


def position_from_key(key: object) -> tuple[dt.datetime, int] | None:
    """The position :func:`queue_position` gave, read back from a cursor; ValidationError if it is not one."""
    if key is None:
        return None
    refused = ValidationError("'cursor' is not a cursor of the review queue", details={"field": "cursor"})
    if not (isinstance(key, list) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int)):
        raise refused
    try:
        due = dt.datetime.fromisoformat(key[0])
    except ValueError as exc:
        raise refused from exc
    if due.tzinfo is None:
        raise refused
    return due, key[1]


def get_item(session: Session, user: User, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"no review item {item_id}")
    require_language(user, item.target_lang)
    return item


def sees_customer_data(user: User | None, item: ReviewItem) -> bool:
    """Whether ``user`` sees the customer's real values in ``item``: its assignee and reviewers of its
    language do; anyone else (an admin, a reviewer reading across languages) sees tokens."""
    if user is None or item.kind != "reply":
        return True
    if user.id == item.assignee_id:
        return True
    mine = {base(lang) for lang in user.language_list}
    return user.role == Role.REVIEWER and (item.target_lang in user.language_list or base(item.target_lang) in mine)


def protected_texts(session: Session, item: ReviewItem) -> dict[str, str | None]:
    """The item's texts with customer data as tokens (``[[card:1]]``), the way the memory stores them."""
    protector = services().memory.protector
    customer = CUSTOMER_OF[item.kind](session, item) if item.kind in CUSTOMER_OF else None
    source, spans = memory_form(protector, item.source_text, customer)

    def target(text: str | None) -> str | None:
        if text is None:
            return None
        return memory_translation(protector, text, spans, customer) or memory_form(protector, text, customer)[0]

    return {"source_text": source, "mt_text": target(item.mt_text), "final_text": target(item.final_text)}


def restore_tokens(session: Session, item: ReviewItem, text: str) -> str:
    """An approved text written over the token view: the tokens become the customer's values again."""
    if not MEMORY_TOKEN.search(text):
        return text
    customer = CUSTOMER_OF[item.kind](session, item) if item.kind in CUSTOMER_OF else None
    _source, spans = memory_form(services().memory.protector, item.source_text, customer)
    return restore_memory_tokens(text, spans)[0]


def _anchor(a: dict[str, Any], i: int, texts: dict[str, str], on: str) -> tuple[TextQuote | None, tuple[int, int] | None]:
    """The words an annotation marks and where they are now: by its quote when it has one (the text may have
    been edited since it was marked), else by its offsets, which must lie within the text."""
    text, start, end = texts[on], a.get("start"), a.get("end")
    for key in ("quote", "prefix", "suffix"):
        if a.get(key) is not None and not isinstance(a.get(key), str):
            raise ValidationError(f"annotations[{i}].{key} must be a string")
    if a.get("quote"):
        selector = TextQuote(a["quote"], a.get("prefix") or "", a.get("suffix") or "")
        return selector, locate(text, selector, hint=start if isinstance(start, int) else None)
    if start is None and end is None:
        return None, None
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        raise ValidationError(f"annotations[{i}]: span must satisfy 0 <= start <= end <= {len(text)}")
    return quote_of(text, start, end), (start, end)


def parse_annotations(raw: Any, texts: dict[str, str], rater: str, *, default_on: str = "final"
                      ) -> list[MqmAnnotationRow]:
    """MQM annotations from a decision: [{category, severity, start, end, note, on, quote, prefix, suffix}].

    ``on`` names the text marked ("mt" or "final", a key of ``texts``); a quote anchors the annotation to
    its words in that text (``lqa.anchors``): words edited away leave it flagged ``text_changed``."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError("'annotations' must be a list")
    rows = []
    for i, a in enumerate(raw):
        if not isinstance(a, dict):
            raise ValidationError(f"annotations[{i}] must be an object")
        try:
            category = validate_category(str(a.get("category", "")))
            severity = validate_severity(str(a.get("severity", "")))
        except ValueError as exc:
            raise ValidationError(f"annotations[{i}]: {exc}") from exc
        on = a.get("on") or default_on
        if on not in ("mt", "final"):
            raise ValidationError(f"annotations[{i}].on must be 'mt' or 'final'")
        on = on if on in texts else default_on  # a rejection keeps no version of the reviewer's
        selector, span = _anchor(a, i, texts, on)
        note = a.get("note")
        if note is not None and not isinstance(note, str):
            raise ValidationError(f"annotations[{i}].note must be a string")
        rows.append(MqmAnnotationRow(
            category=str(category), severity=str(severity), span_start=span[0] if span else None,
            span_end=span[1] if span else None, note=note, rater=rater,
            quote=selector.quote if selector else None, prefix=selector.prefix if selector else None,
            suffix=selector.suffix if selector else None, anchored_on=on if selector else None,
            text_changed=selector is not None and span is None))
    return rows


def _quality_record(item: ReviewItem, outcome: str, final_text: str | None, reviewer: User,
                    annotations: list[MqmAnnotationRow]) -> QualityRecord:
    checks = Counter(f.get("check") for f in item.findings if f.get("check"))
    terms = [f for f in item.findings if f.get("check") in TERM_CHECKS]
    return QualityRecord(
        source_lang=item.source_lang, target_lang=item.target_lang, engine=item.engine or "human",
        content_type=item.content_type, channel=item.channel, reviewer=reviewer.name, spot_check=item.spot_check,
        outcome=outcome, source_text=item.source_text, mt_text=item.mt_text or "", final_text=final_text,
        words=count_words(item.source_text), check_findings=dict(checks),
        glossary_terms=max(item.terms_checked, len(terms)), glossary_violations=len(terms), queued_at=item.queued_at, due_at=item.due_at, reviewed_at=item.decided_at,
        object_ref=f"{item.kind}:{item.object_id}", review_item_id=item.id, annotations=annotations)


def quality_history(session: Session, item: ReviewItem) -> list[QualityRecord]:
    """Every decision recorded on the item's content (this item's and earlier rounds'), oldest first."""
    return list(session.scalars(select(QualityRecord).where(
        QualityRecord.object_ref == f"{item.kind}:{item.object_id}").order_by(QualityRecord.id)))


def decision_record(item: ReviewItem, history: Sequence[QualityRecord]) -> QualityRecord | None:
    """The record of this item's own decision (older records name no item: matched by decision time)."""
    for record in history:
        if record.review_item_id == item.id or (record.review_item_id is None and item.decided_at is not None
                                                and record.reviewed_at == item.decided_at):
            return record
    return None


def _decide(session: Session, item: ReviewItem, version: int | None) -> None:
    if item.status not in (ReviewStatus.PENDING, ReviewStatus.ESCALATED):
        raise Conflict(f"review item {item.id} was already {item.status.value}")
    if version is not None and version != item.version:
        raise Conflict(f"review item {item.id} changed since you opened it (version {item.version})")


def approve(session: Session, item: ReviewItem, reviewer: User, *, text: str | None = None,
            annotations: Any = None, version: int | None = None) -> ReviewItem:
    """Approve (optionally with an edited text and MQM annotations); TM, LQA and the owner learn of it."""
    _decide(session, item, version)
    final = restore_tokens(session, item, text) if text is not None else item.mt_text
    if not final or not final.strip():
        raise ValidationError("the approved text is empty: write the translation", code="empty_text")
    rows = parse_annotations(annotations, {"final": final, "mt": item.mt_text or ""}, reviewer.name)
    item.status, item.final_text = ReviewStatus.APPROVED, final
    item.decided_at, item.decided_by = utcnow(), reviewer.name
    # Claim the item before anything else queries (and so autoflushes): the loser of a race gets 409 here.
    _flush_or_conflict(session, item)
    outcome = "approved" if final == item.mt_text else "approved_edited"
    session.add(_quality_record(item, outcome, final, reviewer, rows))
    # The memory stores the pair in memory form: customer data as tokens, so no other ticket sees it.
    customer = CUSTOMER_OF[item.kind](session, item) if item.kind in CUSTOMER_OF else None
    services().memory.add(session, item.source_lang, item.target_lang, item.source_text, final, TmOrigin.HUMAN,
                          context=f"{item.kind}:{item.object_id}", engine=item.engine,
                          approved_by=reviewer.name, customer=customer)
    if not item.spot_check and item.kind in ON_DECIDED:
        ON_DECIDED[item.kind](session, item, True, reviewer)
    audit("review.approved", item.kind, item.object_id, actor=reviewer.name,
          detail={"review": item.id, "edited": outcome == "approved_edited", "annotations": len(rows)}, sess=session)
    _flush_or_conflict(session, item)
    return item


def reject(session: Session, item: ReviewItem, reviewer: User, *, reason: str, annotations: Any = None,
           version: int | None = None) -> ReviewItem:
    """Reject with a reason: the content goes back to its author."""
    _decide(session, item, version)
    if not reason or not reason.strip():
        raise ValidationError("a rejection needs a reason", details={"field": "reason"})
    rows = parse_annotations(annotations, {"mt": item.mt_text or ""}, reviewer.name, default_on="mt")
    item.status, item.decided_at, item.decided_by = ReviewStatus.REJECTED, utcnow(), reviewer.name
    _flush_or_conflict(session, item)
    item.final_text = None
    item.reasons = [*item.reasons, {"code": "rejected", "message": reason[:2000]}]
    session.add(_quality_record(item, "rejected", None, reviewer, rows))
    if not item.spot_check and item.kind in ON_DECIDED:
        ON_DECIDED[item.kind](session, item, False, reviewer)
    audit("review.rejected", item.kind, item.object_id, actor=reviewer.name,
          detail={"review": item.id, "reason": reason[:500]}, sess=session)
    _flush_or_conflict(session, item)
    return item


def _flush_or_conflict(session: Session, item: ReviewItem) -> None:
    """Flush now: a concurrent decision on the same item makes the version check fail -> 409."""
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(f"review item {item.id} was decided by someone else just now") from exc


def item_to_dict(item: ReviewItem, assignee: User | None = None, *, viewer: User | None = None,
                 session: Session | None = None) -> dict[str, Any]:
    """The item as JSON; for a ``viewer`` who is not its assignee nor a reviewer of its language, the texts
    carry tokens instead of the customer's data."""
    texts: dict[str, Any] = {"source_text": item.source_text, "mt_text": item.mt_text, "final_text": item.final_text}
    if not sees_customer_data(viewer, item):
        texts = protected_texts(session or db.session, item)
    owner = (session or db.session).get(User, item.owner_id) if item.owner_id else None
    return {
        "id": item.id, "kind": item.kind, "object_id": item.object_id, "task": item.task,
        "spot_check": item.spot_check, "source_lang": item.source_lang, "target_lang": item.target_lang,
        "channel": item.channel, "content_type": item.content_type, "status": item.status.value,
        "reasons": item.reasons, **texts, "customer_data": "shown" if texts["source_text"] == item.source_text
        else "tokens", "engine": item.engine, "findings": item.findings,
        "assignee": assignee.name if assignee else None, "escalation": item.escalation,
        "owner": owner.name if owner else None,
        "queued_at": item.queued_at.isoformat(), "due_at": item.due_at.isoformat(),
        "decided_at": item.decided_at.isoformat() if item.decided_at else None, "decided_by": item.decided_by,
        "version": item.version,
    }
