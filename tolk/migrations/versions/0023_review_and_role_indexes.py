"""Indexes for the lookups of every reply: a reply's review items, each reviewer's open load, users by role

Without them SQLite read every review item ever queued, and every user, on each reply held for review.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 16:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_review_items_object', 'review_items', ['kind', 'object_id'])
    op.create_index('ix_review_items_status_assignee', 'review_items', ['status', 'assignee_id'])
    op.create_index('ix_users_role', 'users', ['role'])


def downgrade() -> None:
    op.drop_index('ix_users_role', table_name='users')
    op.drop_index('ix_review_items_status_assignee', table_name='review_items')
    op.drop_index('ix_review_items_object', table_name='review_items')
