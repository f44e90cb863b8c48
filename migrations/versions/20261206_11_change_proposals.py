"""change proposals and hosted upstreams

Revision ID: 20261206_11
Revises: 20261206_10
Create Date: 2026-12-06 18:30:00

Issue 20: contributions offered from forks to upstream, and the fork commits upstream
already holds (recognised merges).

"""
import sqlalchemy as sa
from alembic import op

revision = '20261206_11'
down_revision = '20261206_10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contribution',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('app_id', sa.Integer(), nullable=False),
        sa.Column('fork_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('commits', sa.Text(), nullable=False),
        sa.Column('upstream_commit', sa.String(length=40), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('merged_release', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['app_id'], ['app.id'], name=op.f('fk_contribution_app_id_app')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_contribution_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_contribution_decided_by_id_user_account')),
        sa.ForeignKeyConstraint(['fork_id'], ['fork.id'], name=op.f('fk_contribution_fork_id_fork')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution')),
    )
    op.create_index('ix_contribution_app_state', 'contribution', ['app_id', 'state'])
    op.create_index(op.f('ix_contribution_fork_id'), 'contribution', ['fork_id'])
    op.create_table(
        'app_hotspots',
        sa.Column('app_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('files', sa.Text(), nullable=False),
        sa.Column('common_changes', sa.Text(), nullable=False),
        sa.Column('forks_scanned', sa.Integer(), nullable=False),
        sa.Column('partial', sa.Boolean(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['app_id'], ['app.id'], name=op.f('fk_app_hotspots_app_id_app')),
        sa.PrimaryKeyConstraint('app_id', name=op.f('pk_app_hotspots')),
    )
    with op.batch_alter_table('fork') as batch_op:
        batch_op.add_column(sa.Column('upstreamed_commits', sa.Text(), nullable=False, server_default='[]'))
    with op.batch_alter_table('app') as batch_op:
        batch_op.add_column(sa.Column('hosted_upstream', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('app') as batch_op:
        batch_op.drop_column('hosted_upstream')
    with op.batch_alter_table('fork') as batch_op:
        batch_op.drop_column('upstreamed_commits')
    op.drop_table('app_hotspots')
    op.drop_index(op.f('ix_contribution_fork_id'), table_name='contribution')
    op.drop_index('ix_contribution_app_state', table_name='contribution')
    op.drop_table('contribution')
