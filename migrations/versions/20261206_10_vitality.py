"""app vitality index

Revision ID: 20261206_10
Revises: 20261206_09
Create Date: 2026-12-06 18:30:00

Issue 19, item 6 (placeholder until the tables land).

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '20261206_10'
down_revision = '20261206_09'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
