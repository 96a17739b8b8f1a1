"""SLA deadlines and reviewer shifts across time zones: who is on shift, who gets an item, when its deadline
is at risk, and who owns it once escalated."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tolk.languages import covers
from tolk.models import Role, User
from workflows.locales.profiles import effective_profile
from workflows.models import ReviewItem, ReviewStatus

#: Minutes to a decision per channel when the locale profile says nothing.
DEFAULT_SLA_MINUTES = {"chat": 15, "phone": 15, "social": 60, "email": 480, "web": 480, "article": 2880}
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def deadline(now: dt.datetime, channel: str, sla_minutes: dict[str, int] | None = None) -> dt.datetime:
    """When a decision is due for content on ``channel``, from the locale's SLA table."""
    table = {**DEFAULT_SLA_MINUTES, **(sla_minutes or {})}
    return now + dt.timedelta(minutes=int(table.get(channel, DEFAULT_SLA_MINUTES["email"])))


def at_risk_time(start: dt.datetime, due: dt.datetime, percent: float = 80) -> dt.datetime:
    """When ``percent`` of the time from ``start`` to ``due`` is gone: the assignee is told then."""
    share = min(max(float(percent), 0.0), 100.0) / 100
    return start + (due - start) * share


def locale_deadline(session: Session, now: dt.datetime, channel: str, lang: str) -> dt.datetime:
    """A deadline from the SLA of ``lang``'s effective locale profile (the built-in table if it has none)."""
    try:
        sla_minutes = effective_profile(session, lang).sla_minutes
    except ValueError:  # a tag the profiles do not accept: the built-in table
        sla_minutes = {}
    return deadline(now, channel, sla_minutes)


def escalation_owner(session: Session) -> User | None:
    """Who holds escalated items: the active admin holding the fewest open escalated items (lowest id on a
    tie); None when there is no admin at all."""
    admins = session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True))
                             .order_by(User.id)).all()
    if not admins:
        return None
    held = dict(session.execute(
        select(ReviewItem.owner_id, func.count(ReviewItem.id))
        .where(ReviewItem.status == ReviewStatus.ESCALATED).group_by(ReviewItem.owner_id)).all())
    return min(admins, key=lambda u: (held.get(u.id, 0), u.id))


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def on_shift(user: User | Reviewer, at: dt.datetime, holidays: Iterable[str] = ()) -> bool:
    """Whether ``user`` works at ``at`` (their local time, working days, shift hours, holidays)."""
    local = at.astimezone(ZoneInfo(user.timezone))
    if DAY_NAMES[local.weekday()] not in user.work_days.split(",") or local.date().isoformat() in set(holidays):
        return False
    start, end, now = _minutes(user.shift_start), _minutes(user.shift_end), local.hour * 60 + local.minute
    if start <= end:
        return start <= now < end
    return now >= start or now < end  # a night shift crossing midnight


def next_shift_start(user: User | Reviewer, after: dt.datetime, holidays: Iterable[str] = (), *,
                     horizon_days: int = 14) -> dt.datetime | None:
    """The first moment at or after ``after`` when ``user`` is on shift (None within the horizon)."""
    if on_shift(user, after, holidays):
        return after
    tz = ZoneInfo(user.timezone)
    local = after.astimezone(tz)
    start = _minutes(user.shift_start)
    for day in range(horizon_days + 1):
        date = local.date() + dt.timedelta(days=day)
        candidate = dt.datetime(date.year, date.month, date.day, start // 60, start % 60, tzinfo=tz)
        if candidate >= local and on_shift(user, candidate, holidays):
            return candidate.astimezone(dt.UTC)
    return None


@dataclass(frozen=True)
class Reviewer:
    """What picking a reviewer reads of a user: their columns, not an ORM object (loading a User costs a held
    reply more CPU than its query)."""

    id: int
    name: str
    languages: str
    timezone: str
    shift_start: str
    shift_end: str
    work_days: str

    @property
    def language_list(self) -> list[str]:
        return [lang for lang in self.languages.split(",") if lang]


# Built once: on the reply path building these statements cost more CPU than running them.
_REVIEWERS = (select(*(User.__table__.c[f.name] for f in dataclasses.fields(Reviewer)))
              .where(User.__table__.c.role == Role.REVIEWER, User.__table__.c.active.is_(True)))
_PENDING_LOAD = (select(ReviewItem.assignee_id, func.count(ReviewItem.id))
                 .where(ReviewItem.status == ReviewStatus.PENDING).group_by(ReviewItem.assignee_id))


def reviewers_for(session: Session, lang: str) -> list[Reviewer]:
    """Active reviewers whose languages cover ``lang`` (exact tag first; see tolk.languages.covers)."""
    users = [Reviewer(*row) for row in session.execute(_REVIEWERS)]
    exact = [u for u in users if lang in u.language_list]
    if exact:
        return exact
    return [u for u in users if covers(u.language_list, lang)]


@dataclass
class Assignment:
    """Who gets an item, and the escalation taken when nobody is on shift in time."""

    reviewer: Reviewer | None
    escalation: str | None = None


def assign(session: Session, lang: str, now: dt.datetime, due: dt.datetime,
           holidays: Sequence[str] = ()) -> Assignment:
    """Pick a reviewer of ``lang``: on shift now (fewest open items), else the first whose shift starts
    before the deadline; else escalate to the reviewer of that language back soonest (off shift).
    With no reviewer of the language at all the caller must fall back (agent confirmation)."""
    candidates = reviewers_for(session, lang)
    if not candidates:
        return Assignment(None, f"no reviewer for {lang} exists")
    load = {assignee: count for assignee, count in session.execute(_PENDING_LOAD)}
    now_on = [u for u in candidates if on_shift(u, now, holidays)]
    if now_on:
        return Assignment(min(now_on, key=lambda u: (load.get(u.id, 0), u.id)))
    starts = [(shift, u) for u in candidates if (shift := next_shift_start(u, now, holidays)) is not None]
    in_time = [(s, u) for s, u in starts if s < due]
    if in_time:
        _s, user = min(in_time, key=lambda p: (p[0], load.get(p[1].id, 0)))
        return Assignment(user)
    if starts:
        start, user = min(starts, key=lambda p: p[0])
        return Assignment(user, f"no {lang} reviewer on shift before the deadline {due:%Y-%m-%d %H:%M} UTC; "
                                f"escalated to {user.name}, back on shift {start:%Y-%m-%d %H:%M} UTC")
    user = candidates[0]
    return Assignment(user, f"no {lang} reviewer has a shift in the next two weeks; escalated to {user.name}")
