"""glossary_terms.search_text: the case-folded term, indexed, so a term search is an index range at any size

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

_BATCH = 5000


def _form(text: str) -> str:
    # glossaries.models.search_form as of this revision (a migration does not import the models)
    return " ".join(text.casefold().split())[:255]


def upgrade() -> None:
    bind = op.get_bind()
    column_type = sa.String(255, collation="C") if bind.dialect.name == "postgresql" else sa.String(255)
    op.add_column('glossary_terms', sa.Column('search_text', column_type, nullable=True))
    terms = sa.table('glossary_terms', sa.column('id', sa.Integer), sa.column('text', sa.String),
                     sa.column('search_text', sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(terms.c.id, terms.c.text).where(terms.c.id > last)
                            .order_by(terms.c.id).limit(_BATCH)).all()
        if not rows:
            break
        bind.execute(terms.update().where(terms.c.id == sa.bindparam('term_id'))
                     .values(search_text=sa.bindparam('form')),
                     [{'term_id': row.id, 'form': _form(row.text)} for row in rows])
        last = rows[-1].id
    op.create_index('ix_glossary_terms_search_text', 'glossary_terms', ['search_text'])


def downgrade() -> None:
    op.drop_index('ix_glossary_terms_search_text', table_name='glossary_terms')
    op.drop_column('glossary_terms', 'search_text')
