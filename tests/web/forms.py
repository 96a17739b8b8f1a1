"""Page forms through the Flask test client: the session's CSRF token, signing in, posting a form, and the
text a user reads on the answer."""

from __future__ import annotations

import re

from tests.factories import PASSWORD


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
