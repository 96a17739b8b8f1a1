"""Long lists on the role pages come a page at a time: the review queue, the KB editor's articles and an
agent's replies link to the next page."""

from __future__ import annotations

import re

from tests.factories import make_article
from tests.test_pagination import add_review_items
from tests.web.forms import sign_in, text_of


def next_link(response) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', response.get_data(as_text=True))
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_review_queue_page_links_to_the_next_page(app, client, person):
    person("reviewer", "lucia", "es")
    add_review_items(app, [("es", minutes) for minutes in range(60)])
    sign_in(client, "lucia")
    first = client.get("/review")
    assert text_of(first).count("Reply en → es") == 50
    second = client.get(next_link(first))
    assert text_of(second).count("Reply en → es") == 10 and "58 min left" in text_of(second)
    assert next_link(second) is None and 'rel="first"' in second.get_data(as_text=True)


def test_the_kb_editor_list_is_paged(app, client, person, editor):
    for n in range(3):
        assert make_article(client, editor, slug=f"article-{n}", target_locales=[]).status_code == 201
    person("editor", "eddie", "en")
    sign_in(client, "eddie")
    first = client.get("/kb-editor?limit=2")
    assert "article-0" in text_of(first) and "article-2" not in text_of(first)
    assert "article-2" in text_of(client.get(next_link(first)))


def test_an_agents_replies_are_paged(app, client, person):
    from tests.factories import make_reply
    from tolk.auth import issue_token
    from tolk.db import db
    from tolk.models import User

    person("agent", "alex", "en")
    with app.app_context():
        token = issue_token(db.session, db.session.query(User).filter_by(name="alex").one())
        db.session.commit()
    for n in range(27):
        assert make_reply(client, {"Authorization": f"Bearer {token}"}, f"Order {n} has shipped.",
                          ticket_ref=f"T-{n:03d}").status_code == 201
    sign_in(client, "alex")
    first = client.get("/agent")
    tickets = re.findall(r"T-\d{3}", text_of(first))
    assert tickets[:2] == ["T-026", "T-025"] and len(tickets) == 25
    assert next_link(first).startswith("/agent?cursor=") and next_link(first).endswith("#recent")
    assert re.findall(r"T-\d{3}", text_of(client.get(next_link(first)))) == ["T-001", "T-000"]
