"""public KB search: an FTS5 index of published article text on SQLite (PostgreSQL searches with to_tsvector)

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-28 23:00:00.000000

The table is kept up to date by ``workflows.kb.search`` (it refreshes what changed before each search);
on PostgreSQL the search runs ``to_tsvector`` with the locale's text search configuration over the
published columns themselves, so there is nothing to create. Tables named ``*_fts`` (and the FTS5 shadow
tables ``*_fts_*``) are outside the SQLAlchemy models: ``tolk.db.managed_table`` leaves them out of
autogenerate and of the models-match-migrations test.
"""

from __future__ import annotations

from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # doc: "l<article_locales.id>" (a published translation) or "s<articles.id>" (the source article);
    # stamp: the version indexed, so a changed document is found without reading its text.
    op.execute("CREATE VIRTUAL TABLE kb_search_fts USING fts5(doc UNINDEXED, locale UNINDEXED, stamp UNINDEXED, "
               "title, body, tokenize = 'unicode61 remove_diacritics 2')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE kb_search_fts")
