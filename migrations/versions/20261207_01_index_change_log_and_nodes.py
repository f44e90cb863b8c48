"""index change log and nodes

Revision ID: 20261207_01
Revises: 20261206_12
Create Date: 2026-12-07 00:00:00

Issue 18, item 1: the index follower (placeholder until the tables land).

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '20261207_01'
down_revision = '20261206_12'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
