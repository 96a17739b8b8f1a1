"""audit object ids up to 200 characters: an article slug may have 120, and "slug/locale" more

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 21:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('object_id', existing_type=sa.String(length=64), type_=sa.String(length=200),
                              existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('object_id', existing_type=sa.String(length=200), type_=sa.String(length=64),
                              existing_nullable=True)
