"""`tolk reviews list` and the review queue: pending items by deadline, with each item's assignee."""

from __future__ import annotations

import datetime as dt

from tolk.accounts import create_user
from tolk.db import db
from workflows.models import ReviewItem
from workflows.review import visible_items


def _item(text: str, due: dt.datetime, assignee_id: int | None) -> ReviewItem:
    return ReviewItem(kind="reply", object_id=1, source_lang="en", target_lang="es", source_text=text,
                      mt_text=text, due_at=due, assignee_id=assignee_id)


def test_reviews_list_names_the_assignee_and_marks_unassigned_items(app, runner):
    due = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    with app.app_context():
        lucia = create_user(db.session, "lucia", role="reviewer", languages="es")
        db.session.flush()
        db.session.add_all([_item("Assigned", due, lucia.id), _item("Unassigned", due + dt.timedelta(hours=1), None)])
        db.session.commit()
    result = runner.invoke(args=["reviews", "list"])
    assert result.exit_code == 0, result.output
    assigned, unassigned = result.output.splitlines()
    assert "due 2026-11-23 12:00 UTC" in assigned and assigned.endswith("lucia")
    assert "due 2026-11-23 13:00 UTC" in unassigned and unassigned.endswith("  -")


def test_a_reviewer_sees_their_language_behind_a_long_queue_in_others(app):
    """The queue's limit counts the reviewer's own items: 250 German items due first hide no Spanish one."""
    due = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    with app.app_context():
        lucia = create_user(db.session, "lucia", role="reviewer", languages="es")
        german = [_item(f"Item {n}", due, None) for n in range(250)]
        for item in german:
            item.target_lang = "de"
        spanish = _item("Su reembolso", due + dt.timedelta(days=1), None)
        mexican = _item("Su reembolso (MX)", due + dt.timedelta(days=2), None)
        mexican.target_lang = "es-MX"
        db.session.add_all([*german, spanish, mexican])
        db.session.commit()
        seen = visible_items(db.session, lucia, limit=200)
        assert [i.source_text for i in seen] == ["Su reembolso", "Su reembolso (MX)"]
