"""replies: the customer's message and thread (with their translations) and when the agent sent the reply

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tolk.db

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('replies') as batch:
        batch.add_column(sa.Column('customer_message', sa.Text(), nullable=True))
        batch.add_column(sa.Column('customer_message_translation', sa.Text(), nullable=True))
        batch.add_column(sa.Column('thread', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('sent_at', tolk.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('sent_by', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('replies') as batch:
        batch.drop_column('sent_by')
        batch.drop_column('sent_at')
        batch.drop_column('thread')
        batch.drop_column('customer_message_translation')
        batch.drop_column('customer_message')
