"""KB publishing policy (review, manual, auto), publishing outdated drafts, and what changed in the source."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from tests.conftest import run_jobs
from tests.factories import PLAIN_BODY, locale_state, make_article, translate_article
from tolk.db import db
from tolk.models import AuditEvent
from workflows.kb import jobs as kb_jobs
from workflows.locales.changes import update_profile
from workflows.models import ReviewItem

EDITED = PLAIN_BODY.replace("Parcels usually arrive within a week.", "Parcels usually arrive within five days.")


class FixedDraw(random.Random):
    """A random generator that always draws ``value``: 0.0 samples every locale, 0.999 none."""

    def __init__(self, value: float):
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def publications(app) -> list[tuple[str, str, dict]]:
    with app.app_context():
        return [(e.actor, e.object_id or "", e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "article.published").order_by(AuditEvent.id))]


def review_items(app, locale="es") -> list[ReviewItem]:
    with app.app_context():
        items = list(db.session.scalars(select(ReviewItem).where(ReviewItem.kind == "article",
                                                                 ReviewItem.target_lang == locale)))
        for item in items:
            db.session.expunge(item)
        return items


def publish(client, headers, locale="es", slug="shipping"):
    return client.post(f"/api/v1/articles/{slug}/locales/{locale}/publish", headers=headers)


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", languages="es,ca", name="lucia")[1]


def test_translate_all_does_not_publish_by_default_the_editor_does_and_is_named(app, client, editor):
    created = make_article(client, editor, target_locales=["es", "ca"]).json
    assert created["publishing_policy"] == "manual"
    assert created["locales"]["es"]["publishing_policy"] == "manual"
    assert "press Publish" in created["locales"]["es"]["policy_note"]
    translate_article(client, editor)
    run_jobs(app)
    for locale in ("es", "ca"):
        row = locale_state(client, editor, locale)
        assert (row["state"], row["published_revision"]) == ("ready", None)
        assert row["draft_html"]
        assert client.get(f"/kb/{locale}/shipping").status_code == 404
    assert publications(app) == []

    response = publish(client, editor)
    assert response.status_code == 200, response.json
    assert (response.json["state"], response.json["published_revision"]) == ("published", 1)
    assert client.get("/kb/es/shipping").status_code == 200
    assert publications(app) == [("kim", "shipping/es", {"revision": 1, "policy": "manual"})]
    assert locale_state(client, editor, "ca")["state"] == "ready"  # one locale published, not all


def test_auto_policy_publishes_as_the_system_says_so_and_draws_spot_checks(app, client, editor, monkeypatch):
    monkeypatch.setattr(kb_jobs, "SPOT_CHECK_RNG", FixedDraw(0.0))
    make_article(client, editor, target_locales=["es", "ca"], publishing_policy="auto")
    translate_article(client, editor)
    run_jobs(app)
    assert locale_state(client, editor)["state"] == "published"
    actors = {(actor, detail["policy"], detail.get("note")) for actor, _obj, detail in publications(app)}
    assert actors == {("system", "auto", "published automatically: the locale's policy is auto")}
    [item] = review_items(app, "es")
    assert item.spot_check and [r["code"] for r in item.reasons] == ["spot_check"]
    assert locale_state(client, editor)["state"] == "published"  # a spot check does not hold the page


def test_auto_policy_spot_checks_follow_the_locale_sample_rate(app, client, editor, monkeypatch):
    with app.app_context():
        update_profile(db.session, "es", {"sample_rate": 0.5})
        db.session.commit()
    monkeypatch.setattr(kb_jobs, "SPOT_CHECK_RNG", FixedDraw(0.6))  # above the rate: not drawn
    make_article(client, editor, publishing_policy="auto")
    translate_article(client, editor)
    run_jobs(app)
    assert locale_state(client, editor)["state"] == "published"
    assert review_items(app) == []
    monkeypatch.setattr(kb_jobs, "SPOT_CHECK_RNG", FixedDraw(0.4))  # below the rate: drawn
    client.put("/api/v1/articles/shipping", json={"body": EDITED}, headers=editor)
    translate_article(client, editor)
    run_jobs(app)
    assert [i.spot_check for i in review_items(app)] == [True]


def test_review_policy_on_a_non_critical_article_waits_for_a_reviewer(app, client, editor, reviewer):
    make_article(client, editor, publishing_policy="review")
    translate_article(client, editor)
    run_jobs(app)
    es = locale_state(client, editor)
    assert es["state"] == "in_review" and es["publishing_policy"] == "review"
    [item] = review_items(app)
    assert [r["code"] for r in item.reasons] == ["locale:always_review"] and not item.spot_check
    refused = publish(client, editor)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "review_required"
    assert client.post(f"/api/v1/reviews/{item.id}/approve", headers=reviewer).status_code == 200
    assert publications(app)[0][:2] == ("lucia", "shipping/es")


def test_a_locale_policy_overrides_the_article_policy(app, client, editor):
    created = make_article(client, editor, target_locales=["es", "ca"], publishing_policy="manual",
                           locale_policies={"ca": "auto"}).json
    assert created["locales"]["ca"]["locale_policy"] == "auto"
    translate_article(client, editor)
    run_jobs(app)
    assert locale_state(client, editor, "ca")["state"] == "published"
    assert locale_state(client, editor, "es")["state"] == "ready"
    # null puts the locale back on the article's policy
    changed = client.put("/api/v1/articles/shipping", json={"locale_policies": {"ca": None}}, headers=editor)
    assert changed.json["locales"]["ca"]["publishing_policy"] == "manual"


def test_critical_articles_are_reviewed_whatever_the_policy_says(app, client, editor):
    created = make_article(client, editor, critical=True, publishing_policy="auto").json
    assert created["publishing_policy"] == "review" and created["locales"]["es"]["publishing_policy"] == "review"
    translate_article(client, editor)
    run_jobs(app)
    assert locale_state(client, editor)["state"] == "in_review"
    assert publications(app) == []


@pytest.mark.parametrize(("override", "field"), [
    ({"publishing_policy": "yolo"}, "publishing_policy"),
    ({"locale_policies": {"es": "sometimes"}}, "locale_policies"),
    ({"locale_policies": {"de": "auto"}}, "locale_policies"),
])
def test_invalid_policies_are_refused_and_nothing_is_stored(app, client, editor, override, field):
    response = make_article(client, editor, **override)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["message"] or field in str(response.json["error"].get("details"))
    assert client.get("/api/v1/articles/shipping", headers=editor).status_code == 404


def test_publishing_an_outdated_draft_is_refused_and_changes_nothing(app, client, editor):
    make_article(client, editor, publishing_policy="manual")
    translate_article(client, editor)
    run_jobs(app)
    assert publish(client, editor).status_code == 200
    live = client.get("/kb/es/shipping").get_data(as_text=True)
    client.put("/api/v1/articles/shipping", json={"body": EDITED}, headers=editor)
    assert locale_state(client, editor)["state"] == "outdated"

    refused = publish(client, editor)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "draft_outdated"
    assert "translate es again" in refused.json["error"]["message"]
    es = locale_state(client, editor)
    assert (es["state"], es["published_revision"]) == ("outdated", 1)
    assert client.get("/kb/es/shipping").get_data(as_text=True) == live
    assert len(publications(app)) == 1


def test_editing_the_source_outdates_locales_in_review_and_ready_and_says_what_changed(app, client, editor):
    make_article(client, editor, target_locales=["es", "ca"], locale_policies={"es": "review"})
    translate_article(client, editor)
    run_jobs(app)
    assert (locale_state(client, editor)["state"], locale_state(client, editor, "ca")["state"]) == (
        "in_review", "ready")

    changed = client.put("/api/v1/articles/shipping", json={"body": EDITED}, headers=editor).json
    for locale in ("es", "ca"):
        row = changed["locales"][locale]
        assert (row["state"], row["outdated_segments"]) == ("outdated", [4])
        assert row["outdated_changes"] == [{
            "index": 4, "old_index": 4, "change": "changed",
            "old": "Parcels usually arrive within a week.", "new": "Parcels usually arrive within five days."}]
    [item] = review_items(app)
    assert item.status == "pending" and item.reasons[-1]["code"] == "source_changed"
    assert publish(client, editor, "ca").json["error"]["code"] == "draft_outdated"


def test_diff_between_revisions_lists_old_and_new_text_per_segment(client, editor):
    make_article(client, editor)
    client.put("/api/v1/articles/shipping", json={
        "body": EDITED.replace("<p>We ship every order within two days. ", "<p>")}, headers=editor)
    diff = client.get("/api/v1/articles/shipping/diff", headers=editor)
    assert diff.status_code == 200, diff.json
    assert (diff.json["from_revision"], diff.json["to_revision"]) == (1, 2)
    assert [(c["change"], c["old"], c["new"]) for c in diff.json["segments"]] == [
        ("removed", "We ship every order within two days.", None),
        ("changed", "Parcels usually arrive within a week.", "Parcels usually arrive within five days.")]
    assert client.get("/api/v1/articles/shipping/diff?from=1&to=9", headers=editor).status_code == 404
    assert client.get("/api/v1/articles/shipping/diff?from=x", headers=editor).status_code == 400


@pytest.mark.parametrize(("old", "new", "expected"), [
    (["a", "b"], ["a", "b"], []),
    (["a", "b"], ["a", "B"], [(1, 1, "changed", "b", "B")]),
    (["a"], ["a", "c"], [(1, None, "added", None, "c")]),
    (["a", "b", "c"], ["a", "c"], [(None, 1, "removed", "b", None)]),
    (["a", "b"], ["x", "y", "z"], [(0, 0, "changed", "a", "x"), (1, 1, "changed", "b", "y"),
                                   (2, None, "added", None, "z")]),
])
def test_segment_diff_table(old, new, expected):
    from workflows.kb import segment_diff

    assert [(c["index"], c["old_index"], c["change"], c["old"], c["new"]) for c in segment_diff(old, new)] == expected
