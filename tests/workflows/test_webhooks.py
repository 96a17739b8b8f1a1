"""Webhook deliveries never follow redirects: a 3xx is a failed delivery, retried and reported, and each
delivery records the HTTP status it last got."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import Helpdesk
from tests.factories import make_reply
from tolk.db import db
from workflows import webhooks
from workflows.models import WebhookDelivery


@pytest.fixture
def app_config(helpdesk):
    return {"WEBHOOK_URLS": [helpdesk.url], "DEFAULT_GLOSSARY": "",
            "WEBHOOK_SECRET": "whsec_c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="}


@pytest.fixture
def elsewhere():
    """Another loopback service a redirect points at: it must receive nothing."""
    other = Helpdesk()
    yield other
    other.stop()


def _released_reply(client, make_user) -> None:
    agent = make_user("agent", languages="en")[1]
    response = make_reply(client, agent, "Your parcel is on its way.", customer_locale="en")
    assert response.status_code == 201 and response.get_json()["status"] == "released"


def _attempt(app) -> tuple[WebhookDelivery, str | None]:
    with app.app_context():
        row_id = db.session.scalar(select(WebhookDelivery.id))
        try:
            outcome = webhooks.deliver(row_id)
        except webhooks.DeliveryFailed as exc:
            outcome = f"failed: {exc}"
        db.session.expire_all()
        return db.session.get(WebhookDelivery, row_id), outcome


def test_a_307_to_another_service_is_a_failed_delivery_and_the_payload_goes_nowhere_else(
        app, client, make_user, helpdesk, elsewhere):
    helpdesk.status, helpdesk.answer_headers = 307, {"Location": elsewhere.url}
    _released_reply(client, make_user)
    for attempt in range(1, 5):
        row, outcome = _attempt(app)
        assert outcome is not None and outcome.startswith("failed: HTTP 307: redirect to http://127.0.0.1:")
        assert (row.attempts, row.last_status) == (attempt, 307)
        assert row.status == ("failed" if attempt == 4 else "pending") and "not followed" in row.last_error
    assert len(helpdesk.received) == 4 and elsewhere.received == []

    # The helpdesk fixed its URL: the next attempt is delivered and records the 204.
    helpdesk.status, helpdesk.answer_headers = 204, {}
    with app.app_context():
        db.session.execute(WebhookDelivery.__table__.update().values(status="pending"))
        db.session.commit()
    row, outcome = _attempt(app)
    assert outcome == "delivered" and (row.status, row.last_status, row.last_error) == ("delivered", 204, None)


def test_a_redirect_loop_costs_one_request_per_attempt(app, client, make_user, helpdesk):
    helpdesk.status, helpdesk.answer_headers = 302, {"Location": helpdesk.url}
    _released_reply(client, make_user)
    for attempt in range(1, 4):
        row, outcome = _attempt(app)
        assert outcome and "HTTP 302" in outcome and len(helpdesk.received) == attempt
        assert row.last_status == 302


def test_an_unreachable_endpoint_records_no_status(app, client, make_user, helpdesk):
    helpdesk.stop()
    _released_reply(client, make_user)
    row, outcome = _attempt(app)
    assert outcome and outcome.startswith("failed: ConnectionError") and row.last_status is None
    assert row.status == "pending" and row.attempts == 1


def test_a_5xx_is_recorded_with_its_status(app, client, make_user, helpdesk):
    helpdesk.status = 503
    _released_reply(client, make_user)
    row, outcome = _attempt(app)
    assert outcome == "failed: HTTP 503 Service Unavailable" and row.last_status == 503
