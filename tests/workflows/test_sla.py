"""Shifts across time zones, SLA deadlines, assignment and escalation (time is frozen by passing it in)."""

from __future__ import annotations

import datetime as dt

import pytest

from tolk.accounts import create_user
from tolk.db import db
from workflows.sla import assign, deadline, next_shift_start, on_shift


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def team(app):
    with app.app_context():
        madrid = create_user(db.session, "lucia", role="reviewer", languages="es", timezone="Europe/Madrid",
                             shift="09:00-17:00")
        mexico = create_user(db.session, "diego", role="reviewer", languages="es-MX", timezone="America/Mexico_City",
                             shift="09:00-17:00")
        warsaw = create_user(db.session, "piotr", role="reviewer", languages="pl", timezone="Europe/Warsaw",
                             shift="08:00-16:00", days="mon,tue,wed,thu,fri")
        db.session.commit()
        yield {"madrid": madrid, "mexico": mexico, "warsaw": warsaw}


def test_on_shift_uses_the_reviewers_own_time_zone(team):
    monday_noon_utc = utc(2026, 11, 23, 12, 0)  # 13:00 Madrid, 06:00 Mexico City
    assert on_shift(team["madrid"], monday_noon_utc)
    assert not on_shift(team["mexico"], monday_noon_utc)
    assert on_shift(team["mexico"], utc(2026, 11, 23, 16, 0))  # 10:00 in Mexico City


def test_weekends_and_holidays_are_off(team):
    saturday = utc(2026, 11, 28, 10, 0)
    assert not on_shift(team["warsaw"], saturday)
    assert not on_shift(team["warsaw"], utc(2026, 11, 11, 10, 0), holidays=["2026-11-11"])


def test_next_shift_start_crosses_the_weekend(team):
    friday_evening = utc(2026, 11, 27, 17, 0)  # 18:00 in Warsaw
    assert next_shift_start(team["warsaw"], friday_evening) == utc(2026, 11, 30, 7, 0)  # Monday 08:00 CET


def test_deadline_comes_from_the_locale_sla():
    now = utc(2026, 11, 23, 12, 0)
    assert deadline(now, "chat", {"chat": 5}) == utc(2026, 11, 23, 12, 5)
    assert deadline(now, "email") == utc(2026, 11, 23, 20, 0)


def test_assigns_a_reviewer_on_shift(app, team):
    with app.app_context():
        result = assign(db.session, "es", utc(2026, 11, 23, 12, 0), utc(2026, 11, 23, 20, 0))
        assert result.reviewer.name == "lucia" and result.escalation is None


def test_regional_reviewer_preferred_and_base_language_falls_back(app, team):
    with app.app_context():
        result = assign(db.session, "es-MX", utc(2026, 11, 23, 16, 0), utc(2026, 11, 23, 23, 0))
        assert result.reviewer.name == "diego"
        result = assign(db.session, "es-AR", utc(2026, 11, 23, 12, 0), utc(2026, 11, 23, 20, 0))
        assert result.reviewer.name == "lucia"


def test_reviewer_whose_shift_starts_before_the_deadline(app, team):
    with app.app_context():
        early = utc(2026, 11, 23, 5, 0)  # 06:00 Madrid, shift at 09:00 = 08:00 UTC; email deadline 13:00 UTC
        result = assign(db.session, "es", early, utc(2026, 11, 23, 13, 0))
        assert result.reviewer.name == "lucia" and result.escalation is None


def test_nobody_on_shift_before_the_deadline_escalates_with_a_reason(app, team):
    with app.app_context():
        friday_night = utc(2026, 11, 27, 20, 0)
        result = assign(db.session, "pl", friday_night, friday_night + dt.timedelta(minutes=15))
        assert result.reviewer.name == "piotr"
        assert "no pl reviewer on shift before the deadline" in result.escalation


def test_no_reviewer_for_the_language(app, team):
    with app.app_context():
        result = assign(db.session, "et", utc(2026, 11, 23, 12, 0), utc(2026, 11, 23, 13, 0))
        assert result.reviewer is None and "no reviewer for et" in result.escalation


def test_reviewer_without_a_shift_in_two_weeks_is_the_last_resort(app, team):
    friday_night = utc(2026, 11, 27, 20, 0)
    holidays = [(friday_night.date() + dt.timedelta(days=n)).isoformat() for n in range(16)]
    with app.app_context():
        result = assign(db.session, "pl", friday_night, friday_night + dt.timedelta(minutes=15), holidays)
        assert result.reviewer.name == "piotr"
        assert "no pl reviewer has a shift in the next two weeks" in result.escalation
