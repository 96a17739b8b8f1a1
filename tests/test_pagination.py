"""tolk.pagination: the cursor, page sizes and the paged lists of replies, articles and the translation memory."""

from __future__ import annotations

import pytest

from tests.factories import make_article, make_reply
from tolk.errors import ValidationError
from tolk.pagination import decode_cursor, encode_cursor


@pytest.mark.parametrize("key", [0, 42, 2**63 - 1, "shipping", "zürich-ß", "", ["2026-03-02T09:00:00+00:00", 7]])
def test_a_cursor_gives_back_its_key(key):
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("cursor", ["", "%%%", "bm90IGpzb24", "eyJrIjogdHJ1ZX0", "eyJrIjogW3RydWVdfQ", "eyJrIjogW119",
                                    "eyJrIjogW1sxXV19", "W10"])
def test_a_cursor_this_module_did_not_make_is_refused(cursor):
    with pytest.raises(ValidationError) as refused:
        decode_cursor(cursor)
    assert refused.value.details == {"field": "cursor"}


def follow(client, url, headers, key):
    """Every row of a paged list, following next_cursor; also returns how many pages it took."""
    found, pages = [], 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        found += body[key]
        pages += 1
        url = response.headers["Link"][1:response.headers["Link"].index(">")] if body["next_cursor"] else None
    return found, pages


def test_replies_are_paged_newest_first_and_each_agent_sees_only_theirs(client, make_user, admin_headers):
    _agent, agent = make_user("agent")
    _other, other = make_user("agent")
    ids = [make_reply(client, agent, f"Your order {n} has shipped.").get_json()["id"] for n in range(3)]
    make_reply(client, other, "Thanks for waiting.")
    found, pages = follow(client, "/api/v1/replies?limit=2", agent, "replies")
    assert [r["id"] for r in found] == ids[::-1] and pages == 2
    assert len(follow(client, "/api/v1/replies?limit=3", admin_headers, "replies")[0]) == 4
    assert client.get("/api/v1/replies?limit=201", headers=agent).status_code == 400
    assert client.get("/api/v1/replies?cursor=nope", headers=agent).get_json()["error"]["details"] == {
        "field": "cursor"}


def test_articles_are_paged_by_slug(client, editor):
    for slug in ("returns", "billing", "shipping"):
        assert make_article(client, editor, slug=slug, target_locales=[]).status_code == 201
    found, pages = follow(client, "/api/v1/articles?limit=2", editor, "articles")
    assert [a["slug"] for a in found] == ["billing", "returns", "shipping"] and pages == 2


def test_translation_memory_segments_are_listed_a_page_at_a_time(app, client, editor, agent_headers):
    from machinery.models import TmOrigin, TmSegment
    from tolk.db import db

    with app.app_context():
        for n in range(5):
            db.session.add(TmSegment(source_lang="en", target_lang="es" if n < 4 else "de", source_text=f"Hello {n}",
                                     target_text=f"Hola {n}", source_hash=f"{n:040d}", origin=TmOrigin.HUMAN))
        db.session.add(TmSegment(source_lang="en", target_lang="es", source_text="50% off_now", target_text="x",
                                 source_hash="9" * 40, origin=TmOrigin.HUMAN))
        db.session.commit()
    found, pages = follow(client, "/api/v1/tm/segments?target_lang=es&q=hello&limit=3", editor, "segments")
    assert [s["source"] for s in found] == ["Hello 3", "Hello 2", "Hello 1", "Hello 0"] and pages == 2
    assert [s["source"] for s in client.get("/api/v1/tm/segments?q=0%25", headers=editor).get_json()["segments"]] \
        == ["50% off_now"]  # % and _ are characters, not wildcards
    assert client.get("/api/v1/tm/segments?q=_", headers=editor).get_json()["segments"][0]["text"] == "x"
    assert client.get("/api/v1/tm/segments?target_lang=klingon!", headers=editor).status_code == 400
    assert client.get("/api/v1/tm/segments", headers=agent_headers).status_code == 403


def add_review_items(app, dues: list[tuple[str, int]]) -> list[int]:
    """Pending reply reviews due at (language, minutes from now); returns their ids."""
    import datetime as dt

    from tolk.db import db, utcnow
    from workflows.models import ReviewItem

    now = utcnow().replace(microsecond=0)
    with app.app_context():
        rows = [ReviewItem(kind="reply", object_id=n, source_lang="en", target_lang=lang, source_text=f"Item {n}",
                           due_at=now + dt.timedelta(minutes=minutes)) for n, (lang, minutes) in enumerate(dues)]
        db.session.add_all(rows)
        db.session.commit()
        return [r.id for r in rows]


def test_the_review_queue_is_paged_by_deadline_and_language(app, client, make_user, admin_headers):
    _reviewer, reviewer = make_user("reviewer", languages="es")
    ids = add_review_items(app, [("es", 30), ("pl", 5), ("es", 10), ("es", 10), ("es-MX", 20), ("es", 40)])
    found, pages = follow(client, "/api/v1/reviews?limit=2", reviewer, "reviews")
    assert [r["id"] for r in found] == [ids[2], ids[3], ids[4], ids[0], ids[5]] and pages == 3
    assert len(follow(client, "/api/v1/reviews?limit=4", admin_headers, "reviews")[0]) == 6
    for cursor in ("eyJrIjogNX0", "eyJrIjogWyJ4IiwgMV19"):  # {"k": 5}, {"k": ["x", 1]}
        assert client.get(f"/api/v1/reviews?cursor={cursor}", headers=reviewer).status_code == 400
