"""The admin console through the Flask test client: glossary pages a page at a time with a term search, entry
checks, deleting after a confirmation, users edited and deactivated, API tokens, the audit log and its CSV,
the engines page in plain language and the home page's attention list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, insert, select

from glossaries.models import Glossary, GlossaryConcept, GlossaryTerm
from tests.factories import PASSWORD
from tests.web.forms import post, sign_in, text_of
from tolk.db import db
from tolk.models import AuditEvent, User


@pytest.fixture
def ada(client, person):
    person("admin", "ada", "en")
    sign_in(client, "ada")


def seed_glossary(app, name: str, count: int) -> None:
    """A glossary of ``count`` entries ``term-00000``/``término-00000``, inserted in bulk."""
    with app.app_context():
        glossary = Glossary(name=name, source_lang="en", description="")
        db.session.add(glossary)
        db.session.flush()
        # Ids from the database (not chosen here): PostgreSQL's sequence must know them for later inserts.
        ids = db.session.scalars(insert(GlossaryConcept).returning(GlossaryConcept.id, sort_by_parameter_order=True),
                                 [{"glossary_id": glossary.id, "do_not_translate": False} for _ in range(count)]).all()
        db.session.execute(insert(GlossaryTerm), [
            row for i, concept_id in enumerate(ids) for row in (
                {"concept_id": concept_id, "lang": "en", "text": f"term-{i:05d}", "case_sensitive": False,
                 "status": "preferred"},
                {"concept_id": concept_id, "lang": "es", "text": f"término-{i:05d}", "case_sensitive": False,
                 "status": "preferred"})])
        db.session.commit()


def rows(response) -> list[str]:
    html = response.get_data(as_text=True)
    body = html[html.index('<table id="entries">'):html.index("</table>", html.index('<table id="entries">'))]
    return re.findall(r"term-\d{5}", body)


def next_link(response) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', response.get_data(as_text=True))
    return found.group(1).replace("&amp;", "&") if found else None


# --- glossaries ---------------------------------------------------------------------------------------


def test_a_large_glossary_page_holds_one_page_of_entries_and_links_to_the_next(app, client, ada):
    seed_glossary(app, "big", 120)
    first = client.get("/admin/glossaries/big")
    assert first.status_code == 200 and "120 entries" in text_of(first)
    assert rows(first) == [f"term-{i:05d}" for i in range(50)]
    second = client.get(next_link(first))
    assert rows(second) == [f"term-{i:05d}" for i in range(50, 100)]
    third = client.get(next_link(second))
    assert rows(third) == [f"term-{i:05d}" for i in range(100, 120)] and next_link(third) is None
    assert 'rel="first"' in third.get_data(as_text=True)
    listing = text_of(client.get("/admin/glossaries"))
    assert "big" in listing and "120" in listing and "en, es" in listing


def test_glossary_entries_are_found_by_term_in_any_language(app, client, ada):
    seed_glossary(app, "big", 120)
    found = client.get("/admin/glossaries/big?term=término-0011")
    assert rows(found) == [f"term-{i:05d}" for i in range(110, 120)]
    assert rows(client.get("/admin/glossaries/big?term=TERM-0011")) == rows(found)  # any case (ASCII on SQLite)
    assert rows(client.get("/admin/glossaries/big?term=%25")) == []  # a % is a character, not a wildcard
    assert "No entries match" in text_of(client.get("/admin/glossaries/big?term=nothing"))
    assert client.get("/admin/glossaries/big?cursor=garbage").status_code == 400
    assert client.get("/admin/glossaries/big?limit=5000").status_code == 400


def test_the_glossary_api_lists_entries_a_page_at_a_time(app, client, admin_headers):
    seed_glossary(app, "big", 30)
    body = client.get("/api/v1/glossaries/big/entries?limit=20", headers=admin_headers).get_json()
    assert len(body["entries"]) == 20 and body["next_cursor"]
    rest = client.get(f"/api/v1/glossaries/big/entries?cursor={body['next_cursor']}",
                      headers=admin_headers).get_json()
    assert [e["terms"][0]["text"] for e in rest["entries"]] == [f"term-{i:05d}" for i in range(20, 30)]
    assert rest["next_cursor"] is None
    assert len(client.get("/api/v1/glossaries/big/entries?term=term-0002",
                          headers=admin_headers).get_json()["entries"]) == 10
    assert client.get("/api/v1/glossaries/nope/entries", headers=admin_headers).status_code == 404
    listed = client.get("/api/v1/glossaries?limit=1", headers=admin_headers).get_json()
    assert listed["glossaries"][0]["entries_count"] == 30 and listed["glossaries"][0]["languages"] == ["en", "es"]


@pytest.mark.parametrize(("form", "message"), [
    ({"source_term": "Visa", "target_lang": "spanish"}, "not a BCP 47 language tag"),
    ({"source_term": "Visa", "target_lang": "es"}, "Give the target term"),
    ({"source_term": "Visa"}, "Give a target language and term"),
    ({"source_term": "Visa", "target_term": "Visa"}, "Give the language of the target term"),
    ({"source_term": "  ", "target_lang": "es", "target_term": "x"}, "The source term is empty"),
    ({"source_term": "Visa", "target_lang": "xx", "target_term": "Visa"}, "unknown language"),
])
def test_an_entry_without_a_translation_or_with_a_wrong_language_is_refused(app, client, ada, form, message):
    seed_glossary(app, "small", 1)
    response = post(client, "/admin/glossaries/small/entries", form)
    assert response.status_code == 400 and message in text_of(response)
    assert 'value="Visa"' in response.get_data(as_text=True) or not form["source_term"].strip()
    with app.app_context():
        assert db.session.scalar(select(func.count(GlossaryConcept.id))) == 1


def test_a_do_not_translate_entry_needs_no_target_term(app, client, ada):
    seed_glossary(app, "small", 1)
    response = post(client, "/admin/glossaries/small/entries", {"source_term": "Visa", "do_not_translate": "1"})
    assert response.status_code == 303
    added = post(client, "/admin/glossaries/small/entries", {"source_term": "card", "target_lang": "ES",
                                                             "target_term": "tarjeta"})
    assert added.status_code == 303
    api = client.get("/admin/glossaries/small?term=tarjeta")
    assert "tarjeta" in text_of(api) and "es tarjeta" in text_of(api)


def test_deleting_an_entry_asks_first(app, client, ada):
    seed_glossary(app, "small", 2)
    with app.app_context():
        entry_id = db.session.scalar(select(func.min(GlossaryConcept.id)))
    page = client.get("/admin/glossaries/small").get_data(as_text=True)
    confirm_url = f"/admin/glossaries/small/entries/{entry_id}/delete"
    assert f'href="{confirm_url}"' in page and f'action="{confirm_url}"' not in page  # a link, not the deletion
    confirm = client.get(confirm_url)
    assert confirm.status_code == 200 and "term-00000" in text_of(confirm) and "Delete the entry" in text_of(confirm)
    assert client.post(confirm_url, data={}).status_code == 400  # no CSRF token: nothing happens
    assert post(client, confirm_url).status_code == 303
    assert rows(client.get("/admin/glossaries/small")) == ["term-00001"]
    assert client.get(confirm_url).status_code == 404


def test_deleting_a_glossary_needs_its_name_typed(app, client, ada):
    seed_glossary(app, "doomed", 40)
    confirm = client.get("/admin/glossaries/doomed/delete")
    assert confirm.status_code == 200 and "40 entries" in text_of(confirm)
    wrong = post(client, "/admin/glossaries/doomed/delete", {"confirm_name": "other"},
                 headers={"Referer": "http://localhost/admin/glossaries/doomed/delete"})
    assert wrong.status_code == 303 and "Type the glossary" in text_of(client.get(wrong.location))
    assert client.get("/admin/glossaries/doomed").status_code == 200
    done = post(client, "/admin/glossaries/doomed/delete", {"confirm_name": "doomed"})
    assert done.status_code == 303 and "deleted with its 40 entries" in text_of(client.get(done.location))
    assert client.get("/admin/glossaries/doomed").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(GlossaryTerm.id))) == 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "glossary.deleted"))
        assert event is not None and event.detail == {"entries": 40} and event.actor == "ada"


# --- users and tokens ---------------------------------------------------------------------------------


def test_a_deactivated_user_cannot_sign_in_and_is_reactivated(app, client, person, ada):
    person("agent", "alex", "en")
    form = {"role": "agent", "languages": "en", "timezone": "UTC", "shift": "08:00-16:00", "days": ["mon"]}
    bad = post(client, "/admin/users/alex", {**form, "timezone": "Mars/Olympus", "active": "1"})
    assert bad.status_code == 400 and "unknown time zone" in text_of(bad)
    assert post(client, "/admin/users/alex", form).status_code == 303  # "active" unticked
    with app.app_context():
        alex = db.session.scalar(select(User).where(User.name == "alex"))
        assert alex is not None and not alex.active and alex.shift_start == "08:00" and alex.work_days == "mon"
    assert "deactivated" in text_of(client.get("/admin/users"))
    other = app.test_client()
    assert "/sign-in" in (sign_in(other, "alex").location or "/sign-in")
    assert other.get("/agent").status_code == 302
    assert post(client, "/admin/users/alex", {**form, "active": "1"}).status_code == 303
    assert sign_in(app.test_client(), "alex", PASSWORD).location.endswith("/agent")


def test_an_admin_may_not_deactivate_themselves_on_the_page(client, ada):
    response = post(client, "/admin/users/ada", {"role": "admin", "timezone": "UTC", "shift": "09:00-17:00",
                                                 "days": ["mon"]})
    assert response.status_code == 400 and "cannot deactivate yourself" in text_of(response)


def test_a_token_is_shown_once_and_revoked_on_the_tokens_page(app, client, person, ada):
    person("agent", "alex", "en")
    created = post(client, "/admin/tokens", {"user": "alex"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    token = re.search(r'<code id="token-value">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/engines", headers=headers).status_code == 200
    listing = client.get("/admin/tokens?user=alex").get_data(as_text=True)
    assert token not in listing and token[:12] in listing
    token_id = re.search(r'<tr id="token-(\d+)">', listing).group(1)
    revoked = post(client, f"/admin/tokens/{token_id}/revoke", {"user": "alex"})
    assert revoked.status_code == 303 and revoked.location == "/admin/tokens?user=alex"
    assert "revoked" in text_of(client.get(revoked.location))
    assert client.get("/api/v1/engines", headers=headers).status_code == 401
    again = post(client, f"/admin/tokens/{token_id}/revoke", headers={"Referer": "http://localhost/admin/tokens"})
    assert "revoked already" in text_of(client.get(again.location))
    assert post(client, "/admin/tokens", {"user": "nobody"}).status_code == 404


# --- the audit log ------------------------------------------------------------------------------------


def test_the_audit_page_filters_and_exports_json_detail_as_safe_csv(app, client, ada):
    with app.app_context():
        db.session.add_all([
            AuditEvent(actor="@evil", action="glossary.imported", object_type="glossary", object_id="=cmd()",
                       detail="{'entries': 3, 'replace': False}",
                       created_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)),
            AuditEvent(actor="kim", action="article.created", object_type="article", object_id="shipping",
                       detail={"targets": ["es"]}, created_at=dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC))])
        db.session.commit()
    page = text_of(client.get("/admin/audit?action=glossary.imported"))
    assert '{"entries": 3, "replace": false}' in page.replace("&#34;", '"') and "shipping" not in page
    assert "shipping" in text_of(client.get("/admin/audit?since=2026-03-04&until=2026-03-05"))
    assert "=cmd()" not in text_of(client.get("/admin/audit?since=2026-03-04"))
    assert client.get("/admin/audit?since=nonsense").status_code == 400
    exported = client.get("/admin/audit.csv?until=2026-03-03")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["action"] for r in table] == ["glossary.imported"]
    assert table[0]["actor"] == "'@evil" and table[0]["object_id"] == "'=cmd()"
    assert table[0]["detail"] == '{"entries": 3, "replace": false}'
    assert 'href="/admin/audit.csv?action=glossary.imported"' in client.get(
        "/admin/audit?action=glossary.imported").get_data(as_text=True)


def test_the_audit_page_is_paged(app, client, ada):
    with app.app_context():
        db.session.add_all([AuditEvent(actor="kim", action="bulk.event", object_type="x", object_id=f"o{i:03d}",
                                       detail={}) for i in range(60)])
        db.session.commit()
    first = client.get("/admin/audit?action=bulk.event")
    shown = re.findall(r"o\d{3}", text_of(first))
    assert shown == [f"o{i:03d}" for i in range(59, 9, -1)]
    assert re.findall(r"o\d{3}", text_of(client.get(next_link(first)))) == [f"o{i:03d}" for i in range(9, -1, -1)]


# --- engines and the home page ------------------------------------------------------------------------


def test_the_engines_page_says_what_to_set(client, ada):
    page = text_of(client.get("/admin/engines"))
    assert "DeepL: not configured: set TOLK_DEEPL_AUTH_KEY" in page
    assert "Google Cloud Translation: not configured: set TOLK_GOOGLE_PROJECT" in page
    assert "Apertium: ready" in page and "en → es" in page and "Any other language" in page
    assert "usage: None" not in page and "'" not in re.sub(r"[A-Za-z]'[a-z]", "", page)


def test_the_home_page_links_to_overdue_reviews(app, client, ada):
    from workflows.models import ReviewItem

    assert "Nothing: no overdue reviews" in text_of(client.get("/admin")) or "overdue" not in text_of(
        client.get("/admin"))
    with app.app_context():
        db.session.add(ReviewItem(kind="reply", object_id=1, source_lang="en", target_lang="es", source_text="Hi",
                                  due_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
        db.session.commit()
    html = client.get("/admin").get_data(as_text=True)
    assert re.search(r'<li id="attention-overdue-reviews"><a href="/review">1 reviews are past their SLA', html)
    assert 'href="/admin/users"' in html and 'href="/admin/glossaries"' in html
