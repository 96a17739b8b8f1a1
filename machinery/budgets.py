"""Monthly engine budgets: spend per calendar month (UTC), notices at 80% and 100%, engines withheld past 100%.

Spend is the sum of the ``cost`` of an engine's metered calls since the first of the month. Crossing
a threshold records a ``BudgetNotice`` (the admin notice, once per engine, month and threshold) and
calls the listeners registered in ``app.extensions["tolk.budget_listeners"]`` with the session and
the notice as a dict: workflows turns it into a webhook, machinery never imports workflows. Routing
asks ``withheld(engine)`` before trying an engine and skips it, with the reason, once the month's
budget is spent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from machinery.metering import TM_ENGINE
from machinery.models import BudgetNotice, EngineCall
from tolk.db import utcnow

THRESHOLDS = (80, 100)
BUDGET_LISTENERS_KEY = "tolk.budget_listeners"
Listener = Callable[[Session, dict[str, Any]], None]


def month_start(now: dt.datetime) -> dt.datetime:
    """Midnight UTC on the first day of ``now``'s month."""
    now = now.astimezone(dt.UTC)
    return dt.datetime(now.year, now.month, 1, tzinfo=dt.UTC)


@dataclass
class Budgets:
    """The monthly budget of each engine (in the price list's currency) and what crossing it does."""

    limits: Mapping[str, float]
    currency: str = "EUR"
    listeners: Sequence[Listener] = ()
    now: Callable[[], dt.datetime] = field(default=utcnow)

    def spent(self, session: Session, engine: str) -> float:
        """Money the engine's calls cost this month so far."""
        total = session.scalar(select(func.coalesce(func.sum(EngineCall.cost), 0.0))
                               .where(EngineCall.engine == engine, EngineCall.created_at >= month_start(self.now())))
        return float(total or 0.0)

    def withheld(self, session: Session, engine: str) -> tuple[str, str] | None:
        """("budget_exhausted", reason) when this month's budget of ``engine`` is spent, else None."""
        limit = self.limits.get(engine)
        if limit is None:
            return None
        spent = self.spent(session, engine)
        if spent < limit:
            return None
        month = month_start(self.now()).strftime("%Y-%m")
        return ("budget_exhausted", f"{engine} has spent {spent:.6g} of its {limit:.6g} {self.currency} budget "
                                    f"for {month}; it is skipped until the month ends")

    def after_write(self, session: Session, row: EngineCall) -> None:
        """Record and announce the thresholds the engine's spend crossed with ``row`` (once per month each)."""
        limit = self.limits.get(row.engine)
        if limit is None or row.engine == TM_ENGINE or not row.cost:
            return
        spent = self.spent(session, row.engine)
        month = month_start(self.now()).strftime("%Y-%m")
        for threshold in THRESHOLDS:
            if spent < limit * threshold / 100:
                continue
            if session.scalar(select(BudgetNotice.id).where(BudgetNotice.engine == row.engine,
                                                            BudgetNotice.month == month,
                                                            BudgetNotice.threshold == threshold)) is not None:
                continue
            notice = BudgetNotice(engine=row.engine, month=month, threshold=threshold, spent=spent, budget=limit)
            try:
                with session.begin_nested():  # another process may record the same crossing first
                    session.add(notice)
            except IntegrityError:
                continue
            for listener in self.listeners:
                listener(session, notice_dict(notice, self.currency))

    def status(self, session: Session) -> list[dict[str, Any]]:
        """Each budgeted engine's spend this month and the notices sent, for admins."""
        start = month_start(self.now())
        month = start.strftime("%Y-%m")
        rows = []
        for engine, limit in sorted(self.limits.items()):
            spent = self.spent(session, engine)
            notices = session.scalars(select(BudgetNotice).where(BudgetNotice.engine == engine,
                                                                 BudgetNotice.month == month)
                                      .order_by(BudgetNotice.threshold)).all()
            rows.append({"engine": engine, "month": month, "budget": limit, "spent": round(spent, 6),
                         "currency": self.currency, "percent": round(100 * spent / limit, 1) if limit else None,
                         "withheld": spent >= limit,
                         "notices": [notice_dict(n, self.currency) for n in notices]})
        return rows


def notice_dict(notice: BudgetNotice, currency: str) -> dict[str, Any]:
    """A budget notice as the admin API and the webhook show it."""
    return {"engine": notice.engine, "month": notice.month, "threshold": notice.threshold,
            "spent": round(notice.spent, 6), "budget": notice.budget, "currency": currency,
            "at": (notice.created_at or utcnow()).isoformat()}
