"""Indexes for lookups that read whole tables: a reply's review items, each reviewer's open load and users by
role (every reply held for review), an object's quality records (every review page) and stale e-mails (every
SLA sweep)

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
    op.create_index('ix_quality_records_object_ref', 'quality_records', ['object_ref'])
    op.create_index('ix_notifications_status_created', 'notifications', ['status', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_notifications_status_created', table_name='notifications')
    op.drop_index('ix_quality_records_object_ref', table_name='quality_records')
    op.drop_index('ix_users_role', table_name='users')
    op.drop_index('ix_review_items_status_assignee', table_name='review_items')
    op.drop_index('ix_review_items_object', table_name='review_items')
