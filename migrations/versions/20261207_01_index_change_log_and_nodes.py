"""index change log and nodes: index_outbox becomes index_change, an append-only log read by every
node's index follower (AUTOINCREMENT on SQLite, so pruned ids are never handed out again), with
the prune mark and the registry of nodes

Revision ID: 20261207_01
Revises: 20261206_12
Create Date: 2026-12-07 00:00:00

Issue 18, item 1: the index follower.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261207_01'
down_revision = '20261206_12'
branch_labels = None
depends_on = None


def _set_sequence(table: str) -> None:
    """PostgreSQL: the copied ids were given explicitly; the sequence continues after them."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")


def upgrade():
    op.create_table('index_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_change')),
    sqlite_autoincrement=True,
    )
    op.execute("INSERT INTO index_change (id, app_id, queued_at) SELECT id, app_id, queued_at FROM index_outbox")
    _set_sequence('index_change')
    op.drop_index('ix_index_outbox_app_id', table_name='index_outbox')
    op.drop_table('index_outbox')
    op.create_index('ix_index_change_app_id', 'index_change', ['app_id'])
    pruned = op.create_table('index_change_pruned',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('through_id', sa.Integer(), nullable=False),
    sa.Column('pruned_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_change_pruned'))
    )
    op.bulk_insert(pruned, [{'id': 1, 'through_id': 0, 'pruned_at': None}])
    # The single worker deleted every row below the oldest one left: the log starts there, and a
    # node's first build does not wait for the ids it deleted as if they were still to commit.
    op.execute("UPDATE index_change_pruned SET through_id = "
               "coalesce((SELECT min(id) FROM index_change), 1) - 1 WHERE id = 1")
    op.create_table('index_node',
    sa.Column('node_id', sa.String(length=200), nullable=False),
    sa.Column('applied_id', sa.Integer(), nullable=False),
    sa.Column('high_id', sa.Integer(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rebuilt_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('node_id', name=op.f('pk_index_node'))
    )


def downgrade():
    op.drop_table('index_node')
    op.drop_table('index_change_pruned')
    op.create_table('index_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_outbox'))
    )
    # The single worker deleted what it applied: only changes still ahead of every node would be
    # pending, but which those are is per node; keeping them all just applies some again.
    op.execute("INSERT INTO index_outbox (id, app_id, queued_at) SELECT id, app_id, queued_at FROM index_change")
    _set_sequence('index_outbox')
    op.drop_index('ix_index_change_app_id', table_name='index_change')
    op.drop_table('index_change')
    op.create_index('ix_index_outbox_app_id', 'index_outbox', ['app_id'])
