"""accounts: organization admins, invitations, password resets

Revision ID: 20261206_07
Revises: 20261206_06
Create Date: 2026-12-06 18:30:00

Issue 16, items 1-3 (placeholder until the tables land).

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '20261206_07'
down_revision = '20261206_06'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
