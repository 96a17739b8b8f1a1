"""Sign-in throttling holds across web processes: failures counted in Redis reach the lockout whichever
gunicorn worker answers each attempt."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

from tests.factories import PASSWORD


def _attempt(url: str, name: str, password: str) -> tuple[int, str, str | None]:
    """One sign-in from a fresh browser (new connection, new cookie jar): the form, then the POST."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{url}/sign-in", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"name": name, "password": password, "csrf_token": token}).encode()
    try:
        with opener.open(f"{url}/sign-in", data=data, timeout=30) as response:
            return response.status, response.read().decode(), None
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers.get("Retry-After")


def test_the_lockout_holds_across_gunicorn_processes(app, served, make_user):
    make_user("agent", name="alex", languages="en", password=PASSWORD)
    url = served(workers=2, threads=2)
    statuses = [_attempt(url, "alex", "wrong-password")[0] for _ in range(app.config["SIGN_IN_MAX_FAILURES"])]
    assert statuses == [401] * app.config["SIGN_IN_MAX_FAILURES"]
    status, page, retry_after = _attempt(url, "alex", PASSWORD)
    assert status == 429 and retry_after is not None and int(retry_after) > 0
    assert "Too many failed sign-ins" in page
