"""article_locales.machine_segments: the engine's translation of each segment, shown beside the human's

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 02:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('article_locales', schema=None) as batch_op:
        batch_op.add_column(sa.Column('machine_segments', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('article_locales', schema=None) as batch_op:
        batch_op.drop_column('machine_segments')
