"""Reading page forms: list and checkbox fields, and committing a form's change as one unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import request

from tolk.db import db

T = TypeVar("T")


def form_list(name: str) -> list[str]:
    """A comma- or newline-separated form field as a list of stripped, non-empty items."""
    raw = request.form.get(name, "")
    return [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]


def form_flag(name: str) -> bool:
    """A checkbox: present and not "0"/"off"."""
    return request.form.get(name, "").lower() not in ("", "0", "off", "false", "no")


def commit_or_rollback(action: Callable[[], T]) -> T:
    """Run ``action`` and commit; roll the session back if it raises (the page then shows the error)."""
    try:
        result = action()
        db.session.commit()
        return result
    except BaseException:
        db.session.rollback()
        raise
