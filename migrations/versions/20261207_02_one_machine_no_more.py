"""one machine no more: periodic job claims and git client slots shared by every node

Revision ID: 20261207_02
Revises: 20261207_01
Create Date: 2026-12-07 00:00:00

Issue 18, item 2: a periodic job runs once per slot across all workers (`periodic_claim`), and
the per-client cap on running git processes counts every node's (`git_client_slot`).

"""
import sqlalchemy as sa
from alembic import op

revision = '20261207_02'
down_revision = '20261207_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'periodic_claim',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('node', sa.String(length=100), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', 'slot', name=op.f('pk_periodic_claim')),
    )
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


def downgrade():
    op.drop_index('ix_git_client_slot_client', table_name='git_client_slot')
    op.drop_table('git_client_slot')
    op.drop_table('periodic_claim')
