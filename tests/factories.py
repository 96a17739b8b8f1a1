"""Test factories: the people, KB articles, replies, quality records, PO catalogs and the seeded world that
several test modules make the same way. Plain functions; the fixtures that use them are in conftest.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polib
from sqlalchemy import event, select

from lqa.models import MqmAnnotationRow, QualityRecord
from tolk.db import db
from workflows.catalogs import export_catalog, import_catalog
from workflows.models import ReviewItem, TemplateTranslation, WebhookDelivery

# --- people -----------------------------------------------------------------------------------------

#: The password of users made to sign in through pages.
PASSWORD = "correct-horse-9"
ALL_DAYS = "mon,tue,wed,thu,fri,sat,sun"
#: A reviewer on shift around the clock, every day, so review items get assigned whenever a test runs.
ALWAYS_ON = {"shift": "00:00-24:00", "days": ALL_DAYS}


# --- KB articles through the API --------------------------------------------------------------------

PLAIN_BODY = ("<p>We ship every order within two days. You receive an email when the parcel leaves.</p>"
              "<ul><li>Sign in to your account.</li><li>Open the <b>Orders</b> page.</li></ul>"
              "<p>Parcels usually arrive within a week.</p>")


def make_article(client, headers, **overrides):
    """POST the "shipping" article (HTML, English, to Spanish) with ``overrides``; returns the response."""
    body = {"slug": "shipping", "title": "Shipping times", "body": PLAIN_BODY, "format": "html",
            "source_locale": "en", "critical": False, "target_locales": ["es"], **overrides}
    return client.post("/api/v1/articles", json=body, headers=headers)


def translate_article(client, headers, slug="shipping", **body):
    """Ask for the article's translations; returns the queued jobs."""
    response = client.post(f"/api/v1/articles/{slug}/translate", json=body or None, headers=headers)
    assert response.status_code == 202, response.json
    return response.json["jobs"]


def locale_state(client, headers, locale="es", slug="shipping"):
    return client.get(f"/api/v1/articles/{slug}", headers=headers).json["locales"][locale]


def pending_review(app, locale="es"):
    """(id, task, mt_text, content_type, channel) of the pending article review in ``locale``."""
    with app.app_context():
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.kind == "article",
                                                          ReviewItem.target_lang == locale,
                                                          ReviewItem.status == "pending"))
        assert item is not None, f"no pending review for {locale}"
        return item.id, item.task, item.mt_text, item.content_type, item.channel


def published_events(app) -> list[dict]:
    with app.app_context():
        return [r.payload for r in db.session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.event_type == "article.published")
            .order_by(WebhookDelivery.id))]


# --- replies ----------------------------------------------------------------------------------------


def make_reply(client, headers, text, **kw):
    """POST a drafted e-mail reply on ticket T-1 to a Spanish customer; returns the response."""
    body = {"text": text, "ticket_ref": "T-1", "channel": "email", "customer_locale": "es", **kw}
    return client.post("/api/v1/replies", json=body, headers=headers)


# --- quality records --------------------------------------------------------------------------------

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday, ISO week 2026-W10
MQM2_SIGNATURE = "mqm2|v:2.0-linear|w:neutral=0,minor=1,major=5,critical=25;source_error=0|t:95"


def add_record(session, lang: str = "es", *, words: int = 10, errors: tuple[str, ...] = (),
               spot_check: bool = False, outcome: str = "approved_edited", mt: str = "Su pedido llega hoy.",
               final: str | None = "Tu pedido llega hoy.", engine: str = "deepl", content_type: str = "reply",
               channel: str | None = "email", reviewer: str | None = "lucia", created_at: dt.datetime = T0,
               queued_at: dt.datetime | None = None, due_at: dt.datetime | None = None,
               reviewed_at: dt.datetime | None = None, check_findings: dict | None = None,
               glossary_terms: int = 0, glossary_violations: int = 0) -> QualityRecord:
    """Add one reviewed segment; ``errors`` are MQM severities, each as an accuracy/mistranslation error."""
    record = QualityRecord(source_lang="en", target_lang=lang, engine=engine, content_type=content_type,
                           channel=channel, reviewer=reviewer, spot_check=spot_check, outcome=outcome,
                           source_text="Your order arrives today.", mt_text=mt, final_text=final, words=words,
                           check_findings=check_findings or {}, glossary_terms=glossary_terms,
                           glossary_violations=glossary_violations, queued_at=queued_at, due_at=due_at,
                           reviewed_at=reviewed_at, created_at=created_at)
    record.annotations = [MqmAnnotationRow(category="accuracy/mistranslation", severity=s) for s in errors]
    session.add(record)
    session.flush()
    return record


# --- PO catalogs ------------------------------------------------------------------------------------


def export_po(app, locale=None) -> polib.POFile:
    """The exported PO catalog (all locales, or ``locale``), parsed."""
    with app.app_context():
        return polib.pofile(export_catalog(db.session, locale).decode())


def import_po(app, data: bytes, **kw):
    """Import a PO catalog and commit; returns the import report (nothing is kept when it raises)."""
    with app.app_context():
        try:
            report = import_catalog(db.session, data, **kw)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        return report


def template_translations(app) -> dict[tuple[str, str], tuple[list[str], str, str | None]]:
    """(template id, locale) -> (forms, state, translator comment) of every stored template translation."""
    with app.app_context():
        return {(r.template_id, r.locale): (list(r.forms), r.state.value, r.translator_comment)
                for r in db.session.scalars(select(TemplateTranslation))}


# --- a world of objects every API endpoint can act on ------------------------------------------------


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def seed_world(client, people: dict[str, dict], prefix: str) -> dict[str, Any]:
    """Objects every endpoint can act on, named after ``prefix``: a glossary with an entry, a Spanish reply
    in native review (and a released one), a locale profile, a template with a Spanish translation, an
    article with a queued translation job, and a spare user."""
    admin, editor, agent = people["admin"], people["editor"], people["agent"]
    glossary = ok(client.post("/api/v1/glossaries", headers=admin, json={"name": prefix, "source_lang": "en"}), 201)
    entry = ok(client.post(f"/api/v1/glossaries/{prefix}/entries", headers=admin, json={
        "terms": [{"lang": "en", "text": "parcel"}, {"lang": "es", "text": "paquete"}]}), 201)
    draft = {"ticket_ref": f"{prefix}-1", "channel": "email", "customer_locale": "es"}
    reply = ok(client.post("/api/v1/replies", headers=agent, json={
        **draft, "text": "Your refund was processed yesterday."}), 201)
    assert reply["status"] == "in_review" and reply["review"]["status"] == "pending", reply
    released = ok(client.post("/api/v1/replies", headers=agent, json={
        **draft, "text": "Thank you for your patience, your parcel is on its way."}), 201)
    assert released["status"] == "released", released
    profile = client.put("/api/v1/locales/es", headers=admin, json={"greeting": "Hola {customer_name},"})
    assert profile.status_code in (200, 201), profile.get_json()
    template = ok(client.post("/api/v1/templates", headers=editor, json={
        "id": prefix, "source_text": "Hello {name}"}), 201)
    ok(client.put(f"/api/v1/templates/{prefix}/translations/es", headers=editor, json={"text": "Hola {name}"}))
    article = ok(client.post("/api/v1/articles", headers=editor, json={
        "slug": prefix, "title": "Tracking", "body": "<p>Your parcel ships today.</p>", "target_locales": ["es"]}),
        201)
    (job,) = ok(client.post(f"/api/v1/articles/{prefix}/translate", headers=editor, json={}), 202)["jobs"]
    spare = ok(client.post("/api/v1/users", headers=admin, json={"name": f"{prefix}-spare", "role": "agent",
                                                                 "token": True}), 201)
    po = client.get("/api/v1/catalogs/es.po", headers=admin)
    return {"prefix": prefix, "glossary": glossary["name"], "entry": entry["id"], "reply": reply["id"],
            "review": reply["review"]["id"], "released": released["id"], "template": template["id"],
            "article": article["slug"], "job": job["id"], "spare_user": spare["name"], "po": po.get_data(as_text=True)}


def statements_for(app, client, headers, url: str) -> int:
    """How many SQL statements a GET of ``url`` runs (it must answer 200)."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)
