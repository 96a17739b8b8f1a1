"""Navigation: feature packages register their pages' menu entries and each role's landing page.

The kernel names no feature page. A package's ``init_app`` calls :func:`register_nav` for each entry of
the header menu (``section="main"``) or of a page's own sub-menu (any other section name, shown by the
template that asks for it), and :func:`register_home` for the page a role lands on after signing in.
Labels are lazy strings (``flask_babel.lazy_gettext``): they are translated per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, current_app, url_for
from flask_babel import LazyString

from tolk.models import Role, User

NAV_KEY = "tolk.nav"
HOMES_KEY = "tolk.homes"
#: Where a user lands whose role has no page registered as its home.
FALLBACK_HOME = "web.account"


@dataclass(frozen=True)
class NavEntry:
    """One menu link: shown to ``roles``, sorted by ``order`` within its ``section``."""

    label: str | LazyString
    endpoint: str
    roles: frozenset[Role]
    order: int
    section: str = "main"


@dataclass(frozen=True)
class Home:
    """A landing page for ``roles``; of several, the lowest ``order`` wins."""

    endpoint: str
    roles: frozenset[Role]
    order: int


def register_nav(app: Flask, label: str | LazyString, endpoint: str, roles: Iterable[Role], order: int,
                 *, section: str = "main") -> None:
    """Add a menu link to ``endpoint`` for users with one of ``roles``."""
    entries: list[NavEntry] = app.extensions.setdefault(NAV_KEY, [])
    entries.append(NavEntry(label, endpoint, frozenset(roles), order, section))
    entries.sort(key=lambda e: (e.section, e.order))


def register_home(app: Flask, endpoint: str, roles: Iterable[Role], order: int) -> None:
    """Make ``endpoint`` the landing page of ``roles`` (unless another home has a lower ``order``)."""
    homes: list[Home] = app.extensions.setdefault(HOMES_KEY, [])
    homes.append(Home(endpoint, frozenset(roles), order))
    homes.sort(key=lambda h: h.order)


def nav_items(user: User | None, section: str = "main") -> list[tuple[str, str]]:
    """(label, URL) of the ``section`` pages ``user`` may open, in menu order."""
    if user is None:
        return []
    entries: list[NavEntry] = current_app.extensions.get(NAV_KEY, [])
    return [(str(e.label), url_for(e.endpoint)) for e in entries if e.section == section and user.role in e.roles]


def home_for(user: User) -> str:
    """Where a user lands after signing in: their role's main page."""
    homes: list[Home] = current_app.extensions.get(HOMES_KEY, [])
    endpoint = next((h.endpoint for h in homes if user.role in h.roles), FALLBACK_HOME)
    return url_for(endpoint)
