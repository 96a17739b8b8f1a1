"""Pages through the Flask test client: sign-in, roles, CSRF, escaping, the agent and reviewer flows,
the quality dashboard, administration and the UI language."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from tests.conftest import run_jobs
from tests.factories import PASSWORD
from tests.web.forms import csrf, post, sign_in, text_of
from tolk.db import db

REFUND = "Your refund was processed yesterday."


@pytest.fixture
def team(person):
    return {"agent": person("agent", "alex", "en"), "es": person("reviewer", "lucia", "es"),
            "pl": person("reviewer", "piotr", "pl"), "editor": person("editor", "kim", "en"),
            "admin": person("admin", "ada", "en")}


def draft(client, text=REFUND, **form):
    data = {"ticket_ref": "T-100", "channel": "email", "customer_locale": "es", "text": text, **form}
    return post(client, "/agent/replies", data)


def queued_item(app, reply_id: int):
    from workflows.models import ReviewItem

    with app.app_context():
        return db.session.scalar(select(ReviewItem).where(ReviewItem.kind == "reply",
                                                          ReviewItem.object_id == reply_id))


def reply_id_of(response) -> int:
    return int(re.search(r"/agent/replies/(\d+)$", response.location).group(1))


# --- signing in -------------------------------------------------------------------------------------


def test_sign_in_lands_on_the_role_page_and_sign_out_ends_the_session(client, team):
    response = sign_in(client, "alex")
    assert response.status_code == 303 and response.location.endswith("/agent")
    assert "Write a reply" in text_of(client.get("/agent"))
    assert client.get("/").location.endswith("/agent")
    post(client, "/sign-out")
    assert client.get("/agent").location.startswith("/sign-in?next=/agent")


def test_each_role_lands_on_its_own_page(app, client, team):
    for name, page in (("lucia", "/review"), ("kim", "/kb-editor"), ("ada", "/admin")):
        response = sign_in(client, name)
        assert response.location.endswith(page), name
        post(client, "/sign-out")


@pytest.mark.parametrize("name, password", [("alex", "wrong-password"), ("nobody-here", PASSWORD)])
def test_failed_sign_in_says_the_same_for_a_wrong_password_and_an_unknown_name(app, client, team, name, password):
    from tolk.models import AuditEvent

    response = sign_in(client, name, password)
    assert response.status_code == 401
    assert "Wrong name or password." in text_of(response)
    assert client.get("/agent").status_code == 302
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).all()
        assert [e.detail["name"] for e in events] == [name]


def test_sign_in_is_audited(app, client, team):
    from tolk.models import AuditEvent

    sign_in(client, "lucia")
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.signed_in")).all()
        assert event.actor == "lucia"


def test_a_session_older_than_session_hours_must_sign_in_again(app, client, team):
    sign_in(client, "alex")
    assert client.get("/agent").status_code == 200
    with client.session_transaction() as sess:
        sess["signed_in_at"] = time.time() - app.config["SESSION_HOURS"] * 3600 - 60
    response = client.get("/agent")
    assert response.status_code == 302 and "expired=1" in response.location
    assert "Your session has expired" in text_of(client.get(response.location))
    assert client.get("/agent").status_code == 302


def test_the_session_cookie_lasts_session_hours_and_is_not_readable_by_scripts(app, client, team):
    import datetime as dt
    from email.utils import parsedate_to_datetime

    cookie = sign_in(client, "alex").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    hours = (expires - dt.datetime.now(dt.UTC)).total_seconds() / 3600
    assert app.config["SESSION_HOURS"] - 1 < hours <= app.config["SESSION_HOURS"]


def test_next_never_leads_to_another_site(client, team):
    client.get("/sign-in")
    response = client.post("/sign-in", data={"name": "alex", "password": PASSWORD, "next": "//evil.example/x",
                                             "csrf_token": csrf(client)})
    assert response.location == "/agent"


# --- CSRF -------------------------------------------------------------------------------------------


def test_forms_without_the_csrf_token_are_refused(client, team):
    client.get("/sign-in")
    assert client.post("/sign-in", data={"name": "alex", "password": PASSWORD}).status_code == 400
    sign_in(client, "alex")
    response = client.post("/agent/replies", data={"ticket_ref": "T-1", "channel": "email",
                                                   "customer_locale": "es", "text": "Hello"})
    assert response.status_code == 400
    assert client.post("/sign-out", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/agent").status_code == 200  # still signed in


def test_api_calls_riding_on_the_page_session_need_the_csrf_header(client, make_user, team):
    sign_in(client, "ada")
    body = {"name": "new-glossary", "source_lang": "en"}
    assert client.post("/api/v1/glossaries", json=body).status_code == 400
    ok = client.post("/api/v1/glossaries", json=body, headers={"X-CSRF-Token": csrf(client)})
    assert ok.status_code == 201
    _user, headers = make_user("admin")
    other = client.application.test_client()
    assert other.post("/api/v1/glossaries", json={"name": "by-token", "source_lang": "en"},
                      headers=headers).status_code == 201


# --- roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, allowed, refused", [
    ("alex", ["/agent"], ["/review", "/quality", "/admin", "/kb-editor", "/admin/users"]),
    ("lucia", ["/review", "/quality"], ["/agent", "/admin", "/kb-editor", "/admin/glossaries"]),
    ("kim", ["/kb-editor", "/kb-editor/new", "/quality"], ["/agent", "/review", "/admin", "/admin/engines"]),
    ("ada", ["/agent", "/review", "/quality", "/admin", "/admin/glossaries", "/admin/users", "/admin/engines",
             "/admin/locales", "/admin/locales/es", "/kb-editor"], []),
])
def test_each_role_opens_its_pages_and_is_refused_the_others(client, team, name, allowed, refused):
    sign_in(client, name)
    for page in allowed:
        assert client.get(page).status_code == 200, page
    for page in refused:
        response = client.get(page)
        assert response.status_code == 403, page
        assert "Not allowed" in text_of(response)


def test_pages_send_a_visitor_to_the_sign_in_form(client):
    for page in ("/agent", "/review", "/quality", "/admin", "/kb-editor"):
        response = client.get(page)
        assert response.status_code == 302 and response.location == f"/sign-in?next={page}", page


def test_pages_carry_a_strict_content_security_policy(client, team):
    response = client.get("/sign-in")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# --- agent ------------------------------------------------------------------------------------------


def test_a_refund_reply_goes_to_review_and_the_agent_sees_why_and_when(app, client, team):
    sign_in(client, "alex")
    response = draft(client)
    assert response.status_code == 303
    html = client.get(response.location).get_data(as_text=True)
    page = text_of(client.get(response.location))
    assert "waiting for review" in page and "a native reviewer checks it" in page
    # The reason in words; its code only in the title attribute, not as page text.
    assert "refund or invoice" in page and "content:money" not in page and 'title="content:money' in html
    assert "lucia" in page
    assert "Back-translation (English)" in page and "left" in page  # the SLA countdown
    recent = text_of(client.get("/agent"))
    assert "T-100" in recent and "waiting for review" in recent and "left" in recent


def test_the_agent_reads_why_a_reply_is_held_in_the_ui_language_with_the_words_that_held_it(client, team):
    sign_in(client, "alex")
    location = draft(client, "We will charge your card again tomorrow.").location
    assert ("Talks about money: a payment, charge, price, fee, refund or invoice (&#39;charge your card&#39;)"
            in text_of(client.get(location)))
    post(client, "/ui-language", {"locale": "es", "next": "/agent"})
    assert ("Habla de dinero: un pago, cargo, precio, comisión, reembolso o factura (&#39;charge your card&#39;)"
            in text_of(client.get(location)))


def test_a_plain_reply_is_released_at_once(client, team):
    sign_in(client, "alex")
    page = text_of(client.get(draft(client, "Thank you for your patience, your parcel is on its way.").location))
    assert "released" in page and "No reason to hold it back." in page


def test_without_a_reviewer_the_agent_confirms_with_the_back_translation(app, client, team):
    sign_in(client, "alex")
    response = draft(client, customer_locale="ca")
    page = client.get(response.location)
    assert "waiting for your confirmation" in text_of(page) and 'id="confirm-reply"' in page.get_data(as_text=True)
    confirmed = post(client, response.location + "/confirm")
    assert confirmed.status_code == 303
    page = text_of(client.get(confirmed.location))
    assert "Reply released to the customer." in page and "released" in page


def test_reply_text_from_agents_and_engines_is_shown_escaped(app, client, team):
    sign_in(client, "alex")
    response = draft(client, REFUND + " <script>alert(1)</script>")
    html = client.get(response.location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    item = queued_item(app, reply_id_of(response))
    post(client, "/sign-out")
    sign_in(client, "lucia")
    html = client.get(f"/review/{item.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_form_error_keeps_what_the_agent_wrote(client, team):
    sign_in(client, "alex")
    response = draft(client, "Hello there", customer_locale="", customer_message="")
    assert response.status_code == 400
    page = text_of(response)
    assert "Pick the customer&#39;s language, or paste their message" in page and "Hello there" in page


def test_an_agent_cannot_open_another_agents_reply(client, person, team):
    person("agent", "sam", "en")
    sign_in(client, "alex")
    reply = draft(client).location
    post(client, "/sign-out")
    sign_in(client, "sam")
    assert client.get(reply).status_code == 403


# --- reviewer ---------------------------------------------------------------------------------------


def test_a_reviewer_sees_only_their_languages_and_gets_403_for_others(app, client, team):
    sign_in(client, "alex")
    response = draft(client)
    item = queued_item(app, reply_id_of(response))
    post(client, "/sign-out")
    sign_in(client, "piotr")
    assert "T-100" not in text_of(client.get("/review"))
    assert client.get(f"/review/{item.id}").status_code == 403
    assert post(client, f"/review/{item.id}/approve", {"text": "x"}).status_code == 403
    post(client, "/sign-out")
    sign_in(client, "lucia")
    queue = text_of(client.get("/review"))
    assert "Reply for ticket T-100" in queue and "left" in queue
    page = text_of(client.get(f"/review/{item.id}"))
    assert REFUND in page and "Ctrl+Enter" in page and "Alt+R" in page and "Alt+A" in page


def test_approving_with_an_edit_and_an_mqm_annotation(app, client, team):
    from lqa.models import QualityRecord

    sign_in(client, "alex")
    response = draft(client)
    reply_url, item = response.location, queued_item(app, reply_id_of(response))
    post(client, "/sign-out")
    sign_in(client, "lucia")
    edited = "Su reembolso se procesó ayer.\r\nSaludos"
    approved = post(client, f"/review/{item.id}/approve", {
        "text": edited, "version": str(item.version), "ann_category": ["fluency/grammar", ""],
        "ann_severity": ["minor", "minor"], "ann_start": ["4", ""], "ann_end": ["13", ""], "ann_note": ["tense", ""]})
    assert approved.status_code == 303 and approved.location == "/review"
    assert "Approved with edits." in text_of(client.get("/review"))
    with app.app_context():
        record = db.session.scalar(select(QualityRecord))
        assert record.outcome == "approved_edited" and record.final_text == "Su reembolso se procesó ayer.\nSaludos"
        (annotation,) = record.annotations
        assert (annotation.category, annotation.span_start, annotation.span_end) == ("fluency/grammar", 4, 13)
    post(client, "/sign-out")
    sign_in(client, "alex")
    page = text_of(client.get(reply_url))
    assert "approved" in page and "Su reembolso se procesó ayer." in page


def test_rejecting_needs_a_reason_and_the_agent_reads_it(app, client, team):
    sign_in(client, "alex")
    response = draft(client)
    item = queued_item(app, reply_id_of(response))
    post(client, "/sign-out")
    sign_in(client, "lucia")
    page_url = f"/review/{item.id}"
    refused = post(client, f"{page_url}/reject", {"reason": "  "}, headers={"Referer": f"http://localhost{page_url}"})
    assert refused.status_code == 303 and refused.location == page_url
    assert "a rejection needs a reason" in text_of(client.get(page_url))
    assert queued_item(app, item.object_id).status.value == "pending"
    post(client, f"{page_url}/reject", {"reason": "Wrong amount: the refund was partial."})
    post(client, "/sign-out")
    sign_in(client, "alex")
    recent = text_of(client.get("/agent"))
    assert "rejected" in recent and "Wrong amount: the refund was partial." in recent


def test_a_bad_annotation_offset_is_refused_and_nothing_is_decided(app, client, team):
    sign_in(client, "alex")
    item = queued_item(app, reply_id_of(draft(client)))
    post(client, "/sign-out")
    sign_in(client, "lucia")
    url = f"/review/{item.id}"
    response = post(client, f"{url}/approve", {"text": "Hola", "ann_category": "fluency", "ann_severity": "minor",
                                               "ann_start": "2", "ann_end": "99"},
                    headers={"Referer": f"http://localhost{url}"})
    assert response.location == url
    assert "span must satisfy" in text_of(client.get(url))
    assert queued_item(app, item.object_id).status.value == "pending"


# --- quality dashboard ------------------------------------------------------------------------------


def _approve_one(app, client):
    sign_in(client, "alex")
    item = queued_item(app, reply_id_of(draft(client)))
    post(client, "/sign-out")
    sign_in(client, "lucia")
    post(client, f"/review/{item.id}/approve", {"text": "Su reembolso se procesó ayer.", "ann_category": "style",
                                               "ann_severity": "major", "ann_start": "0", "ann_end": "2"})


def test_the_dashboard_shows_figures_charts_and_a_csv(app, client, team):
    _approve_one(app, client)
    response = client.get("/quality")
    page = text_of(response)
    assert response.status_code == 200
    row = re.search(r'<tr data-lang="es">.*?</tr>', response.get_data(as_text=True), re.S).group(0)
    assert "inconclusive" in row and "apertium" in row
    assert response.get_data(as_text=True).count("<svg") == 3 and "Trends for es" in page
    csv = client.get("/quality/report.csv")
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).splitlines()[1].startswith("es,")
    assert client.get("/quality?from=2000-01-01&to=2000-01-31").get_data(as_text=True).count('data-lang="es"') == 0
    assert client.get("/quality?from=yesterday").status_code == 400
    post(client, "/sign-out")
    sign_in(client, "piotr")
    assert 'data-lang="es"' not in client.get("/quality").get_data(as_text=True)
    assert client.get("/quality/report.csv").get_data(as_text=True).splitlines()[1:] == []


def test_chart_labels_are_escaped():
    from lqa.pages import Point, line_chart

    svg = str(line_chart([Point("<b>w1</b>", 90.0, 80.0, 95.0), Point("w2", 70.0, 60.0, 80.0)], title="<i>x</i>"))
    assert "<b>" not in svg and "&lt;b&gt;w1&lt;/b&gt;" in svg and "<polygon" in svg


# --- administration ---------------------------------------------------------------------------------


def test_an_admin_creates_a_reviewer_who_can_then_sign_in(app, client, team):
    sign_in(client, "ada")
    response = post(client, "/admin/users", {"name": "joost", "role": "reviewer", "languages": "nl",
                                             "timezone": "Europe/Amsterdam", "shift": "09:00-17:00",
                                             "days": ["mon", "tue"], "password": "demo-reviewer"})
    assert response.status_code == 303
    assert "joost" in text_of(client.get("/admin/users"))
    refused = post(client, "/admin/users", {"name": "x1", "role": "agent", "password": "short"})
    assert refused.status_code == 400 and "at least 8 characters" in text_of(refused)
    post(client, "/sign-out")
    assert sign_in(client, "joost", "demo-reviewer").location.endswith("/review")


def test_glossary_import_upload_lists_entries_and_a_bad_file_stores_nothing(app, client, team):
    import io

    sign_in(client, "ada")
    good = b"en,es,note\nrefund,reembolso,money\nAcme Cloud,Acme Cloud,brand\n"
    response = post(client, "/admin/glossaries/import", {"file": (io.BytesIO(good), "support.csv"), "name": "support"},
                    content_type="multipart/form-data")
    assert response.status_code == 303 and response.location == "/admin/glossaries/support"
    page = text_of(client.get(response.location))
    assert "reembolso" in page and "Imported 2 entries" in page
    exported = client.get("/api/v1/glossaries/support/export?format=csv")  # the page's export link
    assert exported.status_code == 200 and "reembolso" in exported.get_data(as_text=True)
    bad = b"en,xx-!!\nrefund,reembolso\n"
    response = post(client, "/admin/glossaries/import", {"file": (io.BytesIO(bad), "bad.csv"), "name": "bad"},
                    content_type="multipart/form-data", headers={"Referer": "http://localhost/admin/glossaries"})
    assert response.location == "/admin/glossaries"
    page = text_of(client.get("/admin/glossaries"))
    assert "Import refused, nothing was stored" in page and "line 1" in page
    assert client.get("/admin/glossaries/bad").status_code == 404
    added = post(client, "/admin/glossaries/support/entries", {"source_term": "invoice", "target_lang": "es",
                                                             "target_term": "factura"})
    assert "factura" in text_of(client.get(added.location))


def test_engines_page_lists_routes_and_apertium(client, team):
    sign_in(client, "ada")
    page = text_of(client.get("/admin/engines"))
    assert "apertium" in page and "deepl" in page and "en → es" in page


def test_an_admin_edits_a_locale_profile(app, client, team):
    pytest.importorskip("workflows.locales")
    sign_in(client, "ada")
    response = post(client, "/admin/locales/de-CH", {"name": "Swiss German", "formality": "formal",
                                                     "sla_chat": "20", "working_days": ["mon", "tue", "wed"],
                                                     "quality_threshold": "85", "sample_rate": "0.1",
                                                     "critical_terms": "Rückerstattung, Konto"})
    assert response.status_code == 303
    with app.app_context():
        from workflows.locales import effective_profile

        profile = effective_profile(db.session, "de-CH")
        assert profile.formality == "formal" and profile.sla_minutes["chat"] == 20
        assert profile.working_days == ["mon", "tue", "wed"] and profile.critical_terms == ["Rückerstattung", "Konto"]
    bad = post(client, "/admin/locales/de-CH", {"formality": "formal", "sample_rate": "3"},
               headers={"Referer": "http://localhost/admin/locales/de-CH"})
    assert "sample_rate" in text_of(client.get(bad.location))


# --- UI language ------------------------------------------------------------------------------------


def test_the_ui_follows_accept_language_and_the_chosen_language(client, team):
    assert "Iniciar sesión" in text_of(client.get("/sign-in", headers={"Accept-Language": "es-ES,es;q=0.9"}))
    assert "Sign in to Tolk" in text_of(client.get("/sign-in", headers={"Accept-Language": "pl"}))
    client.get("/sign-in")
    post(client, "/ui-language", {"locale": "es", "next": "/sign-in"})
    assert "Iniciar sesión en Tolk" in text_of(client.get("/sign-in"))
    sign_in(client, "alex")
    assert "Escribir una respuesta" in text_of(client.get("/agent"))
    assert post(client, "/ui-language", {"locale": "xx"}).status_code == 400


def test_every_ui_string_has_a_spanish_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from tolk.web import TRANSLATIONS

    with (TRANSLATIONS / "es/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string}
    method_map = [("tolk/web/**.py", "python"), ("workflows/pages/**.py", "python"), ("workflows/routing.py", "python"),
                  ("glossaries/pages.py", "python"), ("machinery/pages.py", "python"), ("lqa/pages.py", "python"),
                  ("machinery/engine_status.py", "python"), ("templates/_pager.html", "jinja2"),
                  ("templates/base.html", "jinja2"), ("templates/auth/**.html", "jinja2"),
                  ("templates/agent/**.html", "jinja2"), ("templates/review/**.html", "jinja2"),
                  ("templates/kb/editor*.html", "jinja2"), ("templates/kb/_state.html", "jinja2"),
                  ("templates/kb/segments.html", "jinja2"),
                  ("templates/quality/**.html", "jinja2"), ("templates/admin/**.html", "jinja2")]
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(TRANSLATIONS.parent), method_map)}
    assert found and not sorted(found - translated)


# --- rendering aids ---------------------------------------------------------------------------------


def test_marked_escapes_text_and_merges_overlapping_spans():
    from tolk.web import marked

    html = str(marked("a <b> c d", [(2, 5, "tag"), (4, 7, "x<y"), (50, 60, "outside")]))
    assert html == 'a <mark class="finding" title="tag; x&lt;y">&lt;b&gt; c</mark> d'


def test_countdown_reads_as_time_left_or_overdue(app):
    import datetime as dt

    from tolk.web import countdown

    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    with app.test_request_context():
        assert countdown(now + dt.timedelta(minutes=125), now) == "2 h 05 min left"
        assert countdown(now - dt.timedelta(minutes=12), now) == "overdue by 12 min"


# --- KB editor --------------------------------------------------------------------------------------


def test_an_editor_creates_translates_and_publishes_an_article(app, client, team):
    pytest.importorskip("workflows.kb")
    sign_in(client, "kim")
    created = post(client, "/kb-editor/new", {
        "slug": "tracking", "title": "Tracking your order", "format": "markdown", "source_locale": "en",
        "targets": "es, ca", "body": "As soon as your order ships, we send you an email.\n\n<script>x()</script>"})
    assert created.status_code == 303 and created.location == "/kb-editor/tracking"
    page = text_of(client.get("/kb-editor"))
    assert "Tracking your order" in page and "missing" in page
    started = post(client, "/kb-editor/tracking/translate", {"locale": "es"})
    assert "Translation started for 1 locale(s)." in text_of(client.get(started.location))
    run_jobs(app)
    published = post(client, "/kb-editor/tracking/publish", {"locale": "es"})  # policy manual: the editor publishes
    assert "Published es." in text_of(client.get(published.location))
    html = client.get("/kb-editor/tracking").get_data(as_text=True)
    row = re.search(r'<tr data-locale="es">.*?</tr>', html, re.S).group(0)
    assert "published" in row and "/kb/es/tracking" in row
    preview = client.get("/kb-editor/tracking/preview/es")
    assert preview.status_code == 200 and "<script>" not in preview.get_data(as_text=True)
    assert "orden" in text_of(preview)  # Apertium: "Tracking your order" -> "Siguiendo vuestro orden"
    assert client.get("/kb-editor/tracking/preview/ca").status_code == 404


def test_an_article_form_error_keeps_the_text(client, team):
    pytest.importorskip("workflows.kb")
    sign_in(client, "kim")
    response = post(client, "/kb-editor/new", {"slug": "Bad Slug!", "title": "T", "body": "<p>Keep me</p>",
                                               "format": "html", "targets": "es"})
    assert response.status_code == 400 and "Keep me" in response.get_data(as_text=True)


# --- sign-in throttling and server-side session end (issue #17) -------------------------------------


def test_sign_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client, team):
    sign_in(client, "alex")
    copy = app.test_client()
    cookie = client.get_cookie("tolk_session")
    copy.set_cookie("tolk_session", cookie.value)
    assert copy.get("/agent").status_code == 200  # the same cookie in another browser
    post(client, "/sign-out")
    assert copy.get("/agent").status_code == 302  # the copy is signed out too
    assert sign_in(client, "alex").status_code == 303 and client.get("/agent").status_code == 200


def test_revoking_a_users_tokens_ends_their_page_sessions(app, client, team, admin_headers):
    sign_in(client, "alex")
    assert client.get("/agent").status_code == 200
    assert client.post("/api/v1/users/alex/revoke", headers=admin_headers).status_code == 200
    assert client.get("/agent").status_code == 302


def test_repeated_wrong_passwords_lock_the_account_and_say_when_to_try_again(app, client, team):
    limit = app.config["SIGN_IN_MAX_FAILURES"]
    for _ in range(limit):
        assert sign_in(client, "alex", "wrong-password").status_code == 401
    locked = sign_in(client, "alex")  # the right password, too late
    assert locked.status_code == 429
    wait = int(locked.headers["Retry-After"])
    assert 0 < wait <= app.config["SIGN_IN_LOCKOUT_MINUTES"] * 60
    assert re.search(r"Too many failed sign-ins\. Try again in \d+ min \(at \d\d:\d\d UTC\)\.", text_of(locked))
    assert client.get("/agent").status_code == 302
    # Another account from another address is not affected; an unknown name locks the same way.
    other = app.test_client()
    assert sign_in(other, "lucia").status_code == 303
    for _ in range(limit):
        sign_in(other, "nobody-here", "x")
    assert sign_in(other, "nobody-here", "x").status_code == 429


def test_many_names_from_one_address_lock_the_address(app, client, team):
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 6
    for n in range(6):
        assert sign_in(client, f"guess-{n}", "x").status_code == 401
    assert sign_in(client, "lucia").status_code == 429  # every name, from this address
    remote = app.test_client()
    response = remote.post("/sign-in", data={"name": "lucia", "password": PASSWORD, "csrf_token": csrf(remote)},
                           environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 303


def test_secure_cookies_when_configured(app, client, team):
    assert "Secure" not in sign_in(client, "alex").headers["Set-Cookie"]
    app.config["SESSION_COOKIE_SECURE"] = True  # what TOLK_SECURE_COOKIES=1 sets at start-up
    assert "; Secure" in sign_in(app.test_client(), "alex").headers["Set-Cookie"]
