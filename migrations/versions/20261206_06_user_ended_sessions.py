"""user_account.ended_sessions: sessions signed out one device at a time

Revision ID: 20261206_06
Revises: 20261206_05
Create Date: 2026-12-06 16:40:00

Before, "Keluar" bumped session_version and so signed the person out on every device. Now it
ends this session only (its digest is kept here until the session would have expired), and
"Keluar dari semua perangkat" bumps the version as before.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261206_06'
down_revision = '20261206_05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('ended_sessions', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('ended_sessions')
