"""one machine no more

Revision ID: 20261207_02
Revises: 20261207_01
Create Date: 2026-12-07 00:00:00

Issue 18, item 2: what assumed one machine (placeholder until the tables land).

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '20261207_02'
down_revision = '20261207_01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
