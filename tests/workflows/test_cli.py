"""`tolk reviews list`: the pending queue by deadline, with each item's assignee."""

from __future__ import annotations

import datetime as dt

from tolk.accounts import create_user
from tolk.db import db
from workflows.models import ReviewItem


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
