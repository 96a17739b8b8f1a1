"""Creating and finding users; the kernel seeder adds the demo team."""

from __future__ import annotations

import os
import re
import tempfile
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from tolk.auth import end_sessions, issue_token
from tolk.db import utcnow
from tolk.errors import Conflict, NotFound, ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.models import ApiToken, Role, User

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SHIFT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True)
class Profile:
    """A user's role, languages and working hours, validated."""

    role: Role
    languages: str
    timezone: str
    shift_start: str
    shift_end: str
    work_days: str


def check_profile(*, role: str, languages: str, timezone: str, shift: str, days: str) -> Profile:
    """Validate a user's role, languages, time zone, shift and working days; ValidationError on bad input."""
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise ValidationError(f"unknown role {role!r}") from exc
    try:
        langs = [canonical(x) for x in languages.split(",") if x.strip()]
    except UnknownLanguage as exc:
        raise ValidationError(str(exc)) from exc
    if role_value == Role.REVIEWER and not langs:
        raise ValidationError("a reviewer needs at least one native language (--languages)")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {timezone!r}") from exc
    if not _SHIFT.match(shift):
        raise ValidationError("shift must look like 09:00-17:00")
    day_list = [d.strip().lower() for d in days.split(",") if d.strip()]
    if not day_list or any(d not in DAYS for d in day_list):
        raise ValidationError(f"working days must be among {','.join(DAYS)}")
    start, end = shift.split("-")
    return Profile(role=role_value, languages=",".join(langs), timezone=timezone, shift_start=start,
                   shift_end=end, work_days=",".join(day_list))


def create_user(session: Session, name: str, *, role: str, languages: str = "", timezone: str = "UTC",
                shift: str = "09:00-17:00", days: str = "mon,tue,wed,thu,fri",
                password: str | None = None) -> User:
    """Validate and add a user; raise ValidationError or Conflict on bad input."""
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{2,80}", name or ""):
        raise ValidationError("user name must be 2-80 letters, digits or _.@-")
    profile = check_profile(role=role, languages=languages, timezone=timezone, shift=shift, days=days)
    if password is not None and len(password) < 8:
        raise ValidationError("a password needs at least 8 characters")
    if session.scalar(select(User).where(User.name == name)):
        raise Conflict(f"user {name!r} exists")
    user = User(name=name, role=profile.role, languages=profile.languages, timezone=profile.timezone,
                shift_start=profile.shift_start, shift_end=profile.shift_end, work_days=profile.work_days,
                password_hash=generate_password_hash(password) if password else None)
    session.add(user)
    return user


def update_user(user: User, profile: Profile, *, active: bool, by: User | None = None) -> list[str]:
    """Apply ``profile`` and ``active`` to ``user``; returns the names of the fields that changed.

    Deactivating ends the user's page sessions (their tokens stop working while they are inactive);
    an admin may not deactivate themselves or take away their own admin role (no one would be left to undo it).
    """
    if by is not None and by.id == user.id and (not active or profile.role != Role.ADMIN):
        raise ValidationError("you cannot deactivate yourself or take away your own admin role")
    changed = [name for name in ("role", "languages", "timezone", "shift_start", "shift_end", "work_days")
               if getattr(user, name) != getattr(profile, name)]
    for name in changed:
        setattr(user, name, getattr(profile, name))
    if user.active != active:
        changed.append("active")
        user.active = active
        if not active:
            end_sessions(user)
    return changed


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke one API token; NotFound if there is none with that id, Conflict if it is revoked already."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no API token {token_id}")
    if token.revoked_at is not None:
        raise Conflict(f"API token {token.prefix}... is revoked already")
    token.revoked_at = utcnow()
    return token


def get_user(session: Session, name: str) -> User:
    """The user called ``name``; NotFound otherwise."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


DEMO_TEAM = (
    # name, role, languages, time zone, shift, password
    ("ada", "admin", "en", "Europe/Amsterdam", "00:00-24:00", "demo-admin"),
    ("alex", "agent", "en", "Europe/Dublin", "08:00-18:00", "demo-agent"),
    ("kim", "editor", "en", "Europe/Amsterdam", "09:00-17:00", "demo-editor"),
    ("lucia", "reviewer", "es,ca", "Europe/Madrid", "00:00-24:00", "demo-reviewer"),
    ("piotr", "reviewer", "pl", "Europe/Warsaw", "08:00-16:00", "demo-reviewer"),
    ("mari", "reviewer", "et", "Europe/Tallinn", "09:00-17:00", "demo-reviewer"),
    ("joost", "reviewer", "nl", "Europe/Amsterdam", "09:00-17:00", "demo-reviewer"),
    ("mei", "reviewer", "zh-Hant", "Asia/Taipei", "09:00-18:00", "demo-reviewer"),
)


# ``session.info`` key: (name, role, token) of the demo users created in the session's transaction.
DEMO_TOKENS = "tolk.demo_tokens"


def seed_demo_team(session: Session) -> None:
    """Create the demo users once; their API tokens wait in ``session.info[DEMO_TOKENS]`` for the seed
    to commit (`tolk seed-demo` then writes them with :func:`write_demo_tokens`)."""
    created = []
    for name, role, langs, tz, shift, password in DEMO_TEAM:
        if session.scalar(select(User).where(User.name == name)):
            continue
        user = create_user(session, name, role=role, languages=langs, timezone=tz, shift=shift,
                           days=",".join(DAYS), password=password)
        created.append((name, role, issue_token(session, user)))
    session.info.setdefault(DEMO_TOKENS, []).extend(created)


def write_demo_tokens(path: Path, created: Sequence[tuple[str, str, str]]) -> None:
    """Write ``name<TAB>role<TAB>token`` lines to ``path`` (mode 0600), one per user: the users in
    ``created`` replace their old lines (a new database's tokens replace a previous one's) and other
    users' lines stay. The file is replaced in one step, never left half written."""
    names = {name for name, _role, _token in created}
    kept = []
    if path.exists():
        kept = [line for line in path.read_text().splitlines() if line.split("\t", 1)[0] not in names]
    lines = kept + ["\t".join(row) for row in created]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".demo-tokens-")  # created with mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write("".join(line + "\n" for line in lines))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
