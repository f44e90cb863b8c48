"""deployments: heartbeats and evidence strengths

Revision ID: 20261206_09
Revises: 20261206_08
Create Date: 2026-12-06 18:30:00

Issue 19, items 1-5: a deployment reports itself with a heartbeat (token stored as SHA-256,
unique so that a beat is one indexed lookup), the catalog keeps the last seen time, the reported
version, URL and instance facts, and counts beats until the daily audit summary.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261206_09'
down_revision = '20261206_08'
branch_labels = None
depends_on = None


COLUMNS = ('last_seen_at', 'observed_version', 'observed_url', 'observed_info', 'observed_lag_releases',
           'observed_lag_commits', 'heartbeat_token_hash',
           'heartbeat_token_prefix', 'heartbeat_token_issued_at', 'heartbeat_beats', 'heartbeat_beats_since')


def upgrade():
    with op.batch_alter_table('deployment') as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('observed_version', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('observed_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('observed_info', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('observed_lag_releases', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('observed_lag_commits', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_token_prefix', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_token_issued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_beats', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('heartbeat_beats_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_deployment_last_seen_at', ['last_seen_at'])
        batch_op.create_unique_constraint('uq_deployment_heartbeat_token_hash', ['heartbeat_token_hash'])


def downgrade():
    with op.batch_alter_table('deployment') as batch_op:
        batch_op.drop_constraint('uq_deployment_heartbeat_token_hash', type_='unique')
        batch_op.drop_index('ix_deployment_last_seen_at')
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
