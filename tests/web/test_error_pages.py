"""Pages that hold up: 403, 404, 405 and 500 in the app's look, and a form refused for its token (an expired
session, another sign-in) that keeps what was typed."""

from __future__ import annotations

import pytest

from tests.factories import ALWAYS_ON, PASSWORD
from tests.web.forms import csrf, sign_in, text_of

REPLY = "Your refund was processed yesterday.\nIt reaches your account within five days."


@pytest.fixture
def team(person):
    return {"agent": person("agent", "alex", "en"), "lucia": person("reviewer", "lucia", "es", **{
        k: v for k, v in ALWAYS_ON.items()})}


def styled(response) -> bool:
    """Rendered in the base layout: the stylesheet, the skip link and the language of the page."""
    html = response.get_data(as_text=True)
    return "/static/tolk.css" in html and 'class="skip"' in html and '<html lang="' in html


def test_an_unknown_page_is_a_styled_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and styled(response) and "Not found" in text_of(response)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_api_still_answers_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_a_page_of_another_role_is_a_styled_403(client, team):
    sign_in(client, "lucia")
    response = client.get("/agent")
    assert response.status_code == 403 and styled(response) and "Not allowed" in text_of(response)


def test_a_wrong_method_is_a_styled_405(client):
    response = client.get("/sign-out")
    assert response.status_code == 405 and styled(response)


def test_a_crash_is_a_styled_500_without_a_traceback(app):
    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", "broken", broken)
    response = app.test_client().get("/broken")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and styled(response)
    assert "Something went wrong on our side" in text_of(response)
    assert "secret internals" not in body and "Traceback" not in body


def test_a_stale_token_keeps_the_typed_reply_in_a_fresh_form(client, team):
    sign_in(client, "alex")
    client.get("/agent")
    response = client.post("/agent/replies", data={"text": REPLY, "ticket_ref": "T-9", "channel": "email",
                                                   "customer_locale": "es", "csrf_token": "stale"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and styled(response) and "The form has expired" in text_of(response)
    assert "Your refund was processed yesterday.\nIt reaches your account" in html  # the text, in a textarea
    assert 'value="T-9"' in html and f'name="csrf_token" value="{csrf(client)}"' in html
    assert 'action="/agent/replies"' in html
    # Sent again from that page (the fields it shows, the new token): the reply is drafted.
    again = client.post("/agent/replies", data={"text": REPLY, "ticket_ref": "T-9", "channel": "email",
                                                "customer_locale": "es", "csrf_token": csrf(client)})
    assert again.status_code == 303 and "/agent/replies/" in again.headers["Location"]


def test_an_expired_session_shows_the_typed_text_to_copy_and_never_a_password(app, client, team):
    sign_in(client, "alex")
    token = csrf(client)
    with client.session_transaction() as sess:
        sess["signed_in_at"] = 0  # signed in long ago: the session has expired
    response = client.post("/agent/replies", data={"text": REPLY, "ticket_ref": "T-9", "channel": "email",
                                                   "password": "hunter2-secret", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and styled(response)
    assert "Your refund was processed yesterday." in html and "readonly" in html
    assert "hunter2-secret" not in html and "Sign in again" in text_of(response)
    assert "Bad Request" not in html


def test_an_expired_sign_in_form_is_shown_again_with_the_name(client, team):
    response = client.post("/sign-in", data={"name": "alex", "password": PASSWORD, "csrf_token": "old"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="alex"' in html and PASSWORD not in html
    assert "Your session has expired" in text_of(response)


# --- language names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "name"), [("zh-Hant", "中文 (繁體)"), ("es-MX", "Español (México)"),
                                           ("es_MX", "Español (México)"), ("ca", "Català"), ("xx-bogus", "xx-bogus")])
def test_language_names_come_from_babel(tag, name):
    from tolk.web.ui_language import locale_name

    assert locale_name(tag) == name


def test_the_account_page_names_the_languages_and_marks_their_language(client, person):
    person("reviewer", "mei", "zh-Hant,es")
    sign_in(client, "mei")
    html = client.get("/account").get_data(as_text=True)
    assert '<span lang="zh-Hant">中文 (繁體)</span>' in html and '<span lang="es">Español</span>' in html
    assert "zh-Hant – zh-Hant" not in html
