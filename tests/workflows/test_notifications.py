"""Notifications: e-mails received by a local SMTP server (aiosmtpd) and webhooks by a local HTTP server,
for assignment, an SLA at risk, escalation to an owner, a reassignment with a fresh deadline and a reply
waiting for its agent; each once, and only to users who chose it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.conftest import run_jobs
from tests.factories import ALL_DAYS, ALWAYS_ON, make_reply
from tests.fakes.smtp_server import Mailbox
from tests.web.forms import post, sign_in, text_of
from tolk.db import db
from tolk.models import User
from workflows import review
from workflows import sweep as sla_sweep
from workflows.models import LocaleProfile, ReviewItem
from workflows.notify.models import MailStatus, Notification, NotificationPreference

MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def app_config(helpdesk, mailbox):
    return {"WEBHOOK_URLS": [helpdesk.url], "NOTIFY_WEBHOOK_EVENTS": ["*"], "DEFAULT_GLOSSARY": "",
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "SMTP_SECURITY": "none"}


@pytest.fixture
def team(make_user):
    return {"agent": make_user("agent", name="alex", languages="en", password="correct-horse-9"),
            "lucia": make_user("reviewer", name="lucia", languages="es", password="correct-horse-9", **ALWAYS_ON),
            "boss": make_user("admin", name="boss"), "kim": make_user("editor", name="kim")}


def wants(app, name: str, *events: str, email: str | None = None) -> None:
    """``name`` receives ``events`` by e-mail at ``email`` (default name@example.test)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == name))
        db.session.merge(NotificationPreference(user_id=user.id, email=email or f"{name}@example.test",
                                                events=list(events)))
        db.session.commit()


def queue_item(app, *, now=MONDAY_NOON, channel="chat", kind="reply", object_id=1, lang="es") -> int:
    with app.app_context():
        item = review.enqueue(db.session, kind=kind, object_id=object_id, source_lang="en", target_lang=lang,
                              source_text="Your refund was processed.", mt_text="Su reembolso se procesó.",
                              engine="fake", channel=channel, content_type="reply", reasons=[], now=now).item
        db.session.commit()
        return item.id


def sweep(app, now) -> dict[str, int]:
    with app.app_context():
        done = sla_sweep.sweep(db.session, now=now)
        db.session.commit()
    run_jobs(app)
    return done


def item_of(app, item_id: int) -> ReviewItem:
    with app.app_context():
        item = db.session.get(ReviewItem, item_id)
        db.session.expunge(item)
        return item


def mails(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(n.event, n.address, n.status.value) for n in db.session.scalars(select(Notification).order_by(Notification.id))]


def test_an_item_assigned_to_a_reviewer_sends_an_email_and_a_webhook(app, client, team, mailbox, helpdesk):
    wants(app, "lucia", "review.assigned")
    reply = make_reply(client, team["agent"][1], "Your refund was processed yesterday.").get_json()
    assert reply["status"] == "in_review" and reply["assigned_reviewer"] == "lucia"
    assert mailbox.messages == []  # never sent in the request: a worker job sends it
    run_jobs(app)
    (message,) = mailbox.to("lucia@example.test")
    assert "assigned to you" in message["Subject"] and "Deadline:" in message.get_content()
    assert message["Auto-Submitted"] == "auto-generated"
    (assigned,) = [p for p in helpdesk.payloads if p["type"] == "review.assigned"]
    assert assigned["data"]["assignee"] == "lucia" and assigned["data"]["target_lang"] == "es"
    assert "text" not in assigned["data"] and "source_text" not in assigned["data"]  # no customer text
    assert mails(app) == [("review.assigned", "lucia@example.test", "sent")]


def test_preferences_are_honoured(app, client, team, mailbox, helpdesk):
    # lucia chose only at-risk notices; alex gave no address at all: nobody gets an assignment e-mail.
    wants(app, "lucia", "review.sla_at_risk")
    make_reply(client, team["agent"][1], "Your refund was processed yesterday.")
    run_jobs(app)
    assert mailbox.messages == [] and mails(app) == []
    assert "review.assigned" in helpdesk.events()  # the webhook is the installation's, not a user's choice


def test_the_account_page_saves_the_choice_and_refuses_a_bad_address(app, client, team, mailbox):
    sign_in(client, "lucia")
    page = client.get("/account")
    assert page.status_code == 200 and "E-mail me when" in text_of(page)
    bad = post(client, "/account/notifications", {"email": "not an address", "events": "review.assigned"})
    assert bad.status_code == 400 and "is not an e-mail address" in text_of(bad)
    assert 'value="not an address"' in bad.get_data(as_text=True)  # what was typed stays
    unknown = post(client, "/account/notifications", {"email": "l@example.test", "events": "review.everything"})
    assert unknown.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0
    saved = post(client, "/account/notifications", {"email": "l@example.test", "events": "review.assigned"})
    assert saved.status_code == 303
    assert 'value="review.assigned" checked' in client.get("/account").get_data(as_text=True)
    make_reply(client, team["agent"][1], "Your refund was processed yesterday.")
    run_jobs(app)
    assert len(mailbox.to("l@example.test")) == 1


def test_sla_at_risk_is_told_once_even_when_the_sweep_runs_twice(app, team, mailbox, helpdesk):
    wants(app, "lucia", "review.sla_at_risk")
    item_id = queue_item(app)  # chat: 15 minutes, at risk after 12
    assert item_of(app, item_id).at_risk_at == MONDAY_NOON + dt.timedelta(minutes=12)
    assert sweep(app, MONDAY_NOON + dt.timedelta(minutes=11))["at_risk"] == 0
    assert mailbox.messages == []
    for _ in range(2):
        sweep(app, MONDAY_NOON + dt.timedelta(minutes=13))
    (message,) = mailbox.to("lucia@example.test")
    assert "deadline" in message["Subject"] and "12:15 UTC" in message.get_content()
    assert helpdesk.events().count("review.sla_at_risk") == 1


def test_an_overdue_item_is_reassigned_with_a_fresh_deadline_and_a_fresh_at_risk_check(app, make_user, team,
                                                                                      mailbox):
    marta = make_user("reviewer", name="marta", languages="es", shift="00:00-24:00", days=ALL_DAYS)[0]
    wants(app, "marta", "review.assigned", "review.sla_at_risk")
    with app.app_context():
        db.session.add(LocaleProfile(locale="es", sla_minutes={"chat": 30}))
        db.session.commit()
    item_id = queue_item(app)  # queued with the built-in chat SLA (15 minutes), assigned to lucia
    assert item_of(app, item_id).due_at == MONDAY_NOON + dt.timedelta(minutes=15)
    with app.app_context():  # lucia went home; marta is on shift
        db.session.scalar(select(User).where(User.name == "lucia")).work_days = "sun"
        db.session.commit()
    later = MONDAY_NOON + dt.timedelta(minutes=20)
    sweep(app, later)
    item = item_of(app, item_id)
    assert item.assignee_id == marta.id and item.status == "pending"
    assert item.due_at == later + dt.timedelta(minutes=30)  # from the locale's SLA at reassignment
    assert item.at_risk_at == later + dt.timedelta(minutes=24)
    assert "reassigned to marta" in item.escalation
    assert [m["Subject"] for m in mailbox.to("marta@example.test")] == [
        f"Tolk: a reply in es (review item #{item_id}) is assigned to you"]
    sweep(app, later + dt.timedelta(minutes=25))
    assert len(mailbox.to("marta@example.test")) == 2 and "deadline" in mailbox.messages[-1]["Subject"]


def test_an_escalated_item_has_an_owner_who_is_told_and_keeps_it_in_their_default_queue(
        app, client, make_user, team, mailbox, helpdesk):
    other_admin = make_user("admin", name="zoe")[1]
    wants(app, "boss", "review.escalated")
    item_id = queue_item(app)
    with app.app_context():
        db.session.scalar(select(User).where(User.name == "lucia")).work_days = "sun"
        db.session.commit()
    assert sweep(app, MONDAY_NOON + dt.timedelta(minutes=20))["overdue"] == 1
    item = item_of(app, item_id)
    assert item.status == "escalated" and item.owner_id == team["boss"][0].id and "held by boss" in item.escalation
    (message,) = mailbox.to("boss@example.test")
    assert "escalated" in message["Subject"]
    assert helpdesk.events().count("review.escalated") == 1
    mine = client.get("/api/v1/reviews", headers=team["boss"][1]).get_json()["reviews"]
    assert [i["id"] for i in mine] == [item_id]  # the default (pending) queue of its owner
    assert mine[0]["owner"] == "boss" and mine[0]["status"] == "escalated"
    assert client.get("/api/v1/reviews", headers=other_admin).get_json()["reviews"] == []
    sweep(app, MONDAY_NOON + dt.timedelta(minutes=40))
    assert len(mailbox.to("boss@example.test")) == 1


def test_an_escalated_article_tells_its_editor_too(app, team, mailbox):
    from workflows.kb.models import Article, ArticleLocale, ArticleRevision

    wants(app, "kim", "review.escalated")
    wants(app, "boss", "review.escalated")
    with app.app_context():
        article = Article(slug="returns", source_locale="en", target_locales=["es"])
        article.revisions.append(ArticleRevision(number=1, title="Returns", body_html="<p>Hi</p>", author="kim"))
        row = ArticleLocale(locale="es")
        article.locales.append(row)
        db.session.add(article)
        db.session.commit()
        row_id = row.id
        db.session.scalar(select(User).where(User.name == "lucia")).work_days = "sun"
        db.session.commit()
    item_id = queue_item(app, kind="article", object_id=row_id, channel=None)
    sweep(app, MONDAY_NOON + dt.timedelta(days=3))
    assert item_of(app, item_id).owner_id == team["boss"][0].id
    assert len(mailbox.to("kim@example.test")) == 1 and len(mailbox.to("boss@example.test")) == 1


def test_an_item_nobody_reviews_has_an_owner_from_the_start(app, client, team, mailbox):
    wants(app, "boss", "review.escalated")
    wants(app, "alex", "reply.awaiting_agent")
    reply = make_reply(client, team["agent"][1], "Your refund was processed yesterday.", customer_locale="ca")
    assert reply.get_json()["status"] == "awaiting_agent"
    run_jobs(app)
    with app.app_context():
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.target_lang == "ca"))
        assert item.owner_id == team["boss"][0].id and item.status == "escalated"
    (to_agent,) = mailbox.to("alex@example.test")
    assert "waits for your confirmation" in to_agent["Subject"] and "T-1" in to_agent["Subject"]
    assert len(mailbox.to("boss@example.test")) == 1


def test_a_reply_awaiting_its_agent_sends_the_webhook(app, client, team, helpdesk):
    make_reply(client, team["agent"][1], "Your refund was processed yesterday.", customer_locale="ca")
    run_jobs(app)
    (event,) = [p for p in helpdesk.payloads if p["type"] == "reply.awaiting_agent"]
    assert event["data"]["agent"] == "alex" and event["data"]["ticket_ref"] == "T-1"


def test_a_reply_routed_to_its_agent_at_once_tells_the_agent_and_the_helpdesk(app, client, team, mailbox, helpdesk):
    # Routing, not a missing reviewer, sends this one to its agent: a bare confirmation without context.
    wants(app, "alex", "reply.awaiting_agent")
    reply = make_reply(client, team["agent"][1], "Yes, done.").get_json()
    assert reply["status"] == "awaiting_agent"
    run_jobs(app)
    (to_agent,) = mailbox.to("alex@example.test")
    assert "waits for your confirmation" in to_agent["Subject"]
    (event,) = [p for p in helpdesk.payloads if p["type"] == "reply.awaiting_agent"]
    assert event["data"]["reply_id"] == reply["id"] and event["data"]["agent"] == "alex"


def test_an_smtp_server_that_is_down_leaves_the_mail_pending_for_a_retry(app, client, team, mailbox):
    from workflows.notify.delivery import send_mail

    wants(app, "lucia", "review.assigned")
    mailbox.stop()
    make_reply(client, team["agent"][1], "Your refund was processed yesterday.")
    with app.app_context():
        row_id = db.session.scalar(select(Notification.id))
        with pytest.raises(Exception, match="Connection refused|ConnectionRefused"):
            send_mail(row_id)
        db.session.expire_all()
        row = db.session.get(Notification, row_id)
        assert (row.status, row.attempts) == (MailStatus.PENDING, 1) and "Connection" in row.last_error


def test_without_an_smtp_host_no_email_is_owed(app, client, team, mailbox):
    app.config["SMTP_HOST"] = None
    wants(app, "lucia", "review.assigned")
    make_reply(client, team["agent"][1], "Your refund was processed yesterday.")
    run_jobs(app)
    assert mails(app) == [] and mailbox.messages == []


def test_smtp_login(app, client, team):
    secured = Mailbox(login=("tolk", "right-pw"))
    try:
        app.config.update(SMTP_PORT=secured.port, SMTP_USER="tolk", SMTP_PASSWORD="right-pw")
        wants(app, "lucia", "review.assigned")
        make_reply(client, team["agent"][1], "Your refund was processed yesterday.")
        run_jobs(app)
        assert len(secured.to("lucia@example.test")) == 1 and mails(app)[0][2] == "sent"
        assert secured.logins == ["tolk"]
    finally:
        secured.stop()


def test_the_worker_schedules_the_sla_sweep_once_and_each_run_schedules_the_next(app):
    from tolk.queue import queue

    with app.app_context():
        assert sla_sweep.schedule_sweep() and sla_sweep.schedule_sweep()  # a second worker start adds none
        ids = queue().scheduled_job_registry.get_job_ids()
        assert len([i for i in ids if i.startswith("sla-sweep")]) == 1
        assert sla_sweep.sweep_job() == {"at_risk": 0, "overdue": 0, "mail_requeued": 0}
        ids = queue().scheduled_job_registry.get_job_ids()
        assert len([i for i in ids if i.startswith("sla-sweep")]) == 2  # the next run, SLA_SWEEP_MINUTES on


def test_nothing_is_looked_up_when_no_notification_is_configured(app, client, team):
    app.config.update(SMTP_HOST=None, NOTIFY_WEBHOOK_EVENTS=[])
    wants(app, "lucia", "review.assigned")
    make_reply(client, team["agent"][1], "Your refund was processed yesterday.")
    run_jobs(app)
    assert mails(app) == []
    with app.app_context():
        from workflows.models import WebhookDelivery

        types = set(db.session.scalars(select(WebhookDelivery.event_type)))
        assert not types & {"review.assigned", "review.sla_at_risk", "review.escalated", "reply.awaiting_agent"}
