"""change proposals and hosted upstreams

Revision ID: 20261206_11
Revises: 20261206_10
Create Date: 2026-12-06 18:30:00

Issue 20 (placeholder until the tables land).

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '20261206_11'
down_revision = '20261206_10'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
