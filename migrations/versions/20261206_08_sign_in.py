"""sign-in: single sign-on, two-factor, listed sessions

Revision ID: 20261206_08
Revises: 20261206_07
Create Date: 2026-12-06 18:30:00

Issue 16, items 4-6 (placeholder until the tables land).

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '20261206_08'
down_revision = '20261206_07'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
