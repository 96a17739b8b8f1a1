"""privacy: the customer of a reply, redaction marks, the ticket of an engine call

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tolk.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('customer_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('redacted_at', tolk.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_replies_customer_key'), ['customer_key'], unique=False)
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_at', tolk.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('engine_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_engine_calls_ticket_key'), ['ticket_key'], unique=False)
    # Machine translations of replies were stored in the translation memory in clear: they go (reviewed
    # and imported segments stay; `tolk privacy protect-tm` puts those in memory form).
    op.execute("DELETE FROM tm_segments WHERE origin = 'machine' AND context IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('engine_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engine_calls_ticket_key'))
        batch_op.drop_column('ticket_key')
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replies_customer_key'))
        batch_op.drop_column('redacted_at')
        batch_op.drop_column('customer_key')
        batch_op.drop_column('customer')
