"""MQM annotations anchored to the words they mark (quote, prefix, suffix, the text they were made on);
quality records name the review item they came from

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 02:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mqm_annotations') as batch:
        batch.add_column(sa.Column('quote', sa.Text(), nullable=True))
        batch.add_column(sa.Column('prefix', sa.Text(), nullable=True))
        batch.add_column(sa.Column('suffix', sa.Text(), nullable=True))
        batch.add_column(sa.Column('anchored_on', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('text_changed', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('quality_records') as batch:
        batch.add_column(sa.Column('review_item_id', sa.Integer(), nullable=True))
        batch.create_index('ix_quality_records_review_item_id', ['review_item_id'])


def downgrade() -> None:
    with op.batch_alter_table('quality_records') as batch:
        batch.drop_index('ix_quality_records_review_item_id')
        batch.drop_column('review_item_id')
    with op.batch_alter_table('mqm_annotations') as batch:
        for column in ('text_changed', 'anchored_on', 'suffix', 'prefix', 'quote'):
            batch.drop_column(column)
