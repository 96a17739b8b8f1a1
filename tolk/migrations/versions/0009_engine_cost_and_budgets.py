"""engine calls in money, tokens and content type; budget notices

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-28 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tolk.db import UTCDateTime

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('engine_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('input_tokens', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('output_tokens', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cost', sa.Float(), server_default='0', nullable=False))
    op.create_table(
        'budget_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('engine', sa.String(length=32), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('spent', sa.Float(), nullable=False),
        sa.Column('budget', sa.Float(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('engine', 'month', 'threshold', name='uq_budget_notices_once'),
    )


def downgrade() -> None:
    op.drop_table('budget_notices')
    with op.batch_alter_table('engine_calls', schema=None) as batch_op:
        batch_op.drop_column('cost')
        batch_op.drop_column('output_tokens')
        batch_op.drop_column('input_tokens')
        batch_op.drop_column('content_type')
