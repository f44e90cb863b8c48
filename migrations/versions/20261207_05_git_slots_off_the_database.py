"""git slots off the database: the per-client cap counts in Redis or a file of the node

Revision ID: 20261207_05
Revises: 20261207_02
Create Date: 2026-12-07 03:30:00

Issue 12: a row per running git cost each git request two write transactions (on SQLite the one
writer's lock). The cap now counts in Redis when several nodes share it, else in a file of the
node's data dir (catalog/services/repos/git_slots.py); the table goes.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261207_05'
down_revision = '20261207_02'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_git_client_slot_client', table_name='git_client_slot')
    op.drop_table('git_client_slot')


def downgrade():
    op.create_table(
        'git_client_slot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('node', sa.String(length=100), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_git_client_slot')),
    )
    op.create_index('ix_git_client_slot_client', 'git_client_slot', ['client'])
