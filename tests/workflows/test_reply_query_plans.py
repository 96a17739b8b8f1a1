"""No statement of the reply, review and article paths reads a whole table: each one finds its rows by an index,
so a reply costs the same with a year of replies and review items behind it as on the first day. (Reports over
a period, such as the quality report, and the public index of every article read those rows by design and are
not checked here.)

SQLite's query plans are checked (``EXPLAIN QUERY PLAN``: a ``SCAN`` reads every row of a table or index). Its
planner does not weigh table sizes, so an empty test database shows the plan a large one gets; PostgreSQL's
planner rightly reads a small table whole, so its plans say nothing here.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from tests.conftest import run_jobs
from tests.factories import (
    ALWAYS_ON,
    locale_state,
    make_article,
    make_reply,
    pending_review,
    translate_article,
)
from tests.web.forms import PASSWORD, sign_in
from tolk.db import db
from workflows.sweep import sweep

#: A full read that stays small whatever the traffic: a multi-row VALUES list, SQLite's JSON table functions over
#: one row's value, and the settings of each locale (one row per locale an admin configured).
_SMALL = re.compile(r"SCAN (CONSTANT ROW|\d+ CONSTANT ROWS|json_each|json_tree|locale_profiles)\b")
#: A page read in an index's order: it stops at its LIMIT (and there is no sort of every row first).
_IN_ORDER = re.compile(r"SCAN \w+ USING (COVERING )?INDEX ")


class Plans:
    """Every distinct statement the app's engine runs while the block runs, with the parameters of its first run."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.seen: dict[str, tuple] = {}

    def _statement(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        # A batch's first row; SQLAlchemy's one-row-at-a-time "insertmanyvalues" passes the row itself.
        many = executemany and parameters and isinstance(parameters[0], (tuple, list, dict))
        self.seen.setdefault(statement, parameters[0] if many else parameters)

    def __enter__(self) -> Plans:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)

    def full_reads(self) -> list[str]:
        """The statements whose plan reads a whole table or index, each with the plan's SCAN lines."""
        found = []
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            for statement, parameters in self.seen.items():
                if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH")):
                    continue
                plan = [row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
                paged = " LIMIT " in statement and not any("TEMP B-TREE" in line for line in plan)
                scans = [line for line in plan if line.startswith("SCAN") and not _SMALL.match(line)
                         and not (paged and _IN_ORDER.match(line))]
                if scans:
                    shown = re.sub(r"^SELECT .*? FROM ", "SELECT ... FROM ", " ".join(statement.split()))
                    found.append(f"{shown[:240]} -> {'; '.join(scans)}")
        return found


@pytest.fixture
def sqlite_only(app):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite's query plans; PostgreSQL's planner reads small tables whole by design")


def test_drafting_reviewing_and_confirming_replies_read_no_table_whole(app, client, make_user, sqlite_only):
    _, agent = make_user("agent", languages="en")
    lucia, reviewer = make_user("reviewer", languages="es", password=PASSWORD, **ALWAYS_ON)
    make_user("admin", languages="en")
    page_client = app.test_client()  # the reviewer's browser, signed in
    sign_in(page_client, lucia.name)
    assert make_reply(client, agent, "Thanks for waiting, your parcel is on its way.").status_code == 201
    with Plans(app) as plans:
        released = make_reply(client, agent, "Thank you for your patience, your parcel is on its way.",
                              ticket_ref="T-2", idempotency_key="k-2")
        again = make_reply(client, agent, "Thank you for your patience, your parcel is on its way.",
                           ticket_ref="T-2", idempotency_key="k-2")
        reviewed = make_reply(client, agent, "We have refunded the full amount of 49.90 EUR to your card.",
                              ticket_ref="T-3")
        # Nobody reviews Catalan: the item is escalated to an admin and the agent confirms.
        escalated = make_reply(client, agent, "We have refunded the full amount of 49.90 EUR to your card.",
                               ticket_ref="T-4", customer_locale="ca")
        listed = client.get("/api/v1/replies", headers=agent)
        reply_id = reviewed.get_json()["id"]
        shown = client.get(f"/api/v1/replies/{reply_id}", headers=agent)
        queue = client.get("/api/v1/reviews", headers=reviewer)
        item_id = reviewed.get_json()["review"]["id"]
        opened = client.get(f"/api/v1/reviews/{item_id}", headers=reviewer)
        page = page_client.get(f"/review/{item_id}")
        approved = client.post(f"/api/v1/reviews/{item_id}/approve",
                               json={"text": "Hemos reembolsado el importe completo de 49,90 EUR a su tarjeta."},
                               headers=reviewer)
        confirmed = client.post(f"/api/v1/replies/{escalated.get_json()['id']}/confirm", headers=agent)
        with app.app_context():  # what a worker runs at each item's at-risk time and deadline
            swept = sweep(db.session)
            db.session.commit()
    assert opened.status_code == page.status_code == approved.status_code == confirmed.status_code == 200
    assert approved.get_json()["status"] == "approved" and confirmed.get_json()["status"] == "released"
    assert released.get_json()["status"] == "released" and again.status_code == 200 and swept is not None
    assert reviewed.get_json()["status"] == "in_review"
    assert escalated.get_json()["status"] == "awaiting_agent"
    assert listed.status_code == shown.status_code == queue.status_code == 200
    assert reply_id in [i["object_id"] for i in queue.get_json()["reviews"]]
    found = plans.full_reads()
    assert found == [], "\n".join(found)


def test_translating_reviewing_and_publishing_an_article_read_no_table_whole(app, client, make_user, editor,
                                                                             sqlite_only):
    _, reviewer = make_user("reviewer", languages="es", **ALWAYS_ON)
    with Plans(app) as plans:
        assert make_article(client, editor, critical=True).status_code == 201
        translate_article(client, editor)
        run_jobs(app)
        assert locale_state(client, editor)["state"] == "in_review"
        item_id, *_ = pending_review(app)
        assert client.get(f"/api/v1/reviews/{item_id}", headers=reviewer).status_code == 200
        assert client.post(f"/api/v1/reviews/{item_id}/approve", headers=reviewer).status_code == 200
        assert locale_state(client, editor)["state"] == "published"
        assert client.get("/kb/es/shipping").status_code == 200
        assert client.get("/api/v1/articles", headers=editor).status_code == 200
    found = plans.full_reads()
    assert found == [], "\n".join(found)
