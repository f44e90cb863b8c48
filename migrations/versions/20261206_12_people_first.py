"""people first, second round

Revision ID: 20261206_12
Revises: 20261206_11
Create Date: 2026-12-06 18:30:00

Issue 15 (placeholder until the columns land).

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '20261206_12'
down_revision = '20261206_11'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
