"""What the review queue tells the owners of its items (replies, KB article locales), and whom else
notifications reach.

``workflows.init_app`` fills these tables at start-up and ``workflows.review`` calls them. They live apart
from the queue so that registering them imports nothing heavy: a one-off command such as ``tolk translate``
builds the app without loading the review queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from machinery.pii import Customer
    from tolk.models import User
    from workflows.models import ReviewItem

#: kind -> callback(session, item, approved: bool, actor: User) run inside the deciding transaction.
ON_DECIDED: dict[str, Callable[[Session, ReviewItem, bool, User], None]] = {}
#: kind -> callback(session, item) when an item's deadline passed with nobody to take it.
ON_OVERDUE: dict[str, Callable[[Session, ReviewItem], None]] = {}
#: kind -> callback(session, item) -> the customer whose known values are masked in the memory.
CUSTOMER_OF: dict[str, Callable[[Session, ReviewItem], Customer | None]] = {}
#: kind -> callback(session, item) -> users told, besides its owner, when an item is escalated (a KB
#: article's editor).
ALSO_TOLD: dict[str, Callable[[Session, ReviewItem], list[User]]] = {}
