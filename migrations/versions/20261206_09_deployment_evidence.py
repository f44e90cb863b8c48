"""deployments: heartbeats and evidence strengths

Revision ID: 20261206_09
Revises: 20261206_08
Create Date: 2026-12-06 18:30:00

Issue 19, items 1-5 (placeholder until the tables land).

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '20261206_09'
down_revision = '20261206_08'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
