"""tm_segments index on (source_lang, target_lang, id): the fuzzy index reads a pair's newest segments

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28 22:55:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tm_segments_pair_id', 'tm_segments', ['source_lang', 'target_lang', 'id'])


def downgrade() -> None:
    op.drop_index('ix_tm_segments_pair_id', table_name='tm_segments')
