"""KB publishing policy per article and locale; a revision keeps its source as written (Markdown or HTML)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 22:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publishing_policy', sa.Enum('review', 'manual', 'auto', name='publishingpolicy', native_enum=False, length=16), nullable=True))
    with op.batch_alter_table('article_locales', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publishing_policy', sa.Enum('review', 'manual', 'auto', name='publishingpolicy', native_enum=False, length=16), nullable=True))
    with op.batch_alter_table('article_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_format', sa.String(length=16), nullable=False,
                                      server_default='html'))
        batch_op.add_column(sa.Column('source_text', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('article_revisions', schema=None) as batch_op:
        batch_op.drop_column('source_text')
        batch_op.drop_column('source_format')
    with op.batch_alter_table('article_locales', schema=None) as batch_op:
        batch_op.drop_column('publishing_policy')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('publishing_policy')
