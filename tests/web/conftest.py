"""Web-page fixtures: users with passwords, CSRF tokens, a signed-in client."""

from __future__ import annotations

import re

import pytest

PASSWORD = "correct-horse-9"
ALL_DAYS = "mon,tue,wed,thu,fri,sat,sun"


def csrf(client) -> str:
    """The CSRF token of the client's session (a page must have been rendered once)."""
    with client.session_transaction() as sess:
        if "csrf" not in sess:
            sess["csrf"] = "t" * 43
        return sess["csrf"]


def sign_in(client, name: str, password: str = PASSWORD):
    client.get("/sign-in")
    return client.post("/sign-in", data={"name": name, "password": password, "csrf_token": csrf(client)})


def post(client, url: str, data: dict | None = None, **kw):
    """POST a page form with the session's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf(client)}, **kw)


def text_of(response) -> str:
    """The response body as text with tags removed (for assertions on what a user reads)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def person(make_user):
    """person(role, name, languages="") -> the user, created with the test password."""

    def make(role: str, name: str, languages: str = "", **kw):
        kw.setdefault("timezone", "UTC")
        if role == "reviewer":
            kw.setdefault("shift", "00:00-24:00")
            kw.setdefault("days", ALL_DAYS)
        return make_user(role, languages, name=name, password=PASSWORD, **kw)[0]

    return make
