"""import jobs (#16): glossary and TMX files imported by a worker, with progress and outcome

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-28 23:35:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tolk.db

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='importstatus',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('line', sa.Integer(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('actor', sa.String(length=80), nullable=True),
        sa.Column('created_at', tolk.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', tolk.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('import_jobs')
