"""Who edits an article: told when one of its locales is escalated (``workflows.review_hooks.ALSO_TOLD``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.models import User
from workflows.kb.models import ArticleLocale
from workflows.models import ReviewItem


def editor_of(session: Session, item: ReviewItem) -> list[User]:
    """The author of the current revision of the article an item reviews, if still active."""
    row = session.get(ArticleLocale, item.object_id)
    if row is None or not row.article.revisions:
        return []
    author = row.article.revisions[-1].author
    user = session.scalar(select(User).where(User.name == author, User.active.is_(True)))
    return [user] if user is not None else []
