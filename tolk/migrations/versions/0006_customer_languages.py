"""the customer's language, remembered per ticket and customer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tolk.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_languages',
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('lang', sa.String(length=35), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('updated_at', tolk.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'key'),
    )


def downgrade() -> None:
    op.drop_table('customer_languages')
