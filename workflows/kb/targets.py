"""An article's locales checked against the configuration: a language tag that names no language is refused;
a target that no engine or no reviewer serves, or that is not configured, is accepted with a warning."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from machinery.service import services
from tolk.errors import ValidationError
from tolk.languages import UnknownLanguage, canonical, covers
from tolk.models import Role, User
from workflows.models import LocaleProfile


def locale_tag(value: str, field: str) -> str:
    """The canonical tag of a locale an editor typed ("es", "pt_BR"); 400 naming the field otherwise ("english")."""
    try:
        return canonical(value)
    except UnknownLanguage as exc:
        raise ValidationError(f"'{field}': {value!r} is not a locale: use a language tag such as en, es or pt-BR",
                              code="unknown_language", details={"field": field, "value": value}) from exc


def coverage_warnings(session: Session, source: str, targets: Sequence[str]) -> list[dict[str, str]]:
    """For each target not served well: not a configured language, no engine for the pair, no reviewer."""
    configured = list(current_app.config.get("LANGUAGES") or [])
    profiles = set(session.scalars(select(LocaleProfile.locale)))
    reviewers = [u.language_list for u in session.scalars(select(User).where(
        User.role == Role.REVIEWER, User.active.is_(True)))]
    router = services().router
    warnings = []
    for target in targets:
        if not covers(configured, target) and target not in profiles:
            warnings.append({"locale": target, "code": "not_configured",
                             "message": f"{target} is not among the configured languages and has no locale "
                                        "profile: its formats and checks are the defaults"})
        usable, _skipped = router.candidates(source, target)
        if not usable:
            warnings.append({"locale": target, "code": "no_engine",
                             "message": f"no engine translates {source} to {target}: each translation goes to "
                                        "a human translator in the review queue"})
        if not any(covers(langs, target) for langs in reviewers):
            warnings.append({"locale": target, "code": "no_reviewer",
                             "message": f"no reviewer reviews {target}: its review items will wait unassigned"})
    return warnings
