"""translation memory: one segment per pair, source and origin

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:59:04.965752
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Two workers could store the same segment before this constraint: keep the oldest of each.
    op.execute("DELETE FROM tm_segments WHERE id NOT IN (SELECT MIN(id) FROM tm_segments "
               "GROUP BY source_lang, target_lang, source_hash, origin)")
    with op.batch_alter_table('tm_segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tm_segments_lookup'))
        batch_op.create_unique_constraint('uq_tm_segments_key', ['source_lang', 'target_lang', 'source_hash', 'origin'])


def downgrade() -> None:
    with op.batch_alter_table('tm_segments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_tm_segments_key', type_='unique')
        batch_op.create_index(batch_op.f('ix_tm_segments_lookup'), ['source_lang', 'target_lang', 'source_hash'], unique=False)
