"""index_outbox becomes append-only (own id, app_id may repeat); login_throttle remembers the
last failure (per-address slow-down)

Revision ID: 20261206_03
Revises: 20261206_02
Create Date: 2026-12-06 12:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261206_03'
down_revision = '20261206_02'
branch_labels = None
depends_on = None


def upgrade():
    # A new table and a copy: SQLite cannot change a primary key in place.
    op.create_table('index_outbox_new',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_index_outbox_new')
    )
    op.execute("INSERT INTO index_outbox_new (app_id, queued_at) SELECT app_id, queued_at FROM index_outbox")
    op.drop_table('index_outbox')
    op.rename_table('index_outbox_new', 'index_outbox')
    if op.get_bind().dialect.name == 'postgresql':  # SQLite keeps no constraint names to fix
        op.execute("ALTER TABLE index_outbox RENAME CONSTRAINT pk_index_outbox_new TO pk_index_outbox")
        op.execute("ALTER SEQUENCE index_outbox_new_id_seq RENAME TO index_outbox_id_seq")
    op.create_index('ix_index_outbox_app_id', 'index_outbox', ['app_id'])
    with op.batch_alter_table('login_throttle') as batch_op:
        batch_op.add_column(sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True))
    # Counters were kept per account before; they mean nothing to the per-pair throttle.
    op.execute("DELETE FROM login_throttle")


def downgrade():
    with op.batch_alter_table('login_throttle') as batch_op:
        batch_op.drop_column('last_failure_at')
    op.drop_index('ix_index_outbox_app_id', table_name='index_outbox')
    op.create_table('index_outbox_old',
    sa.Column('app_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('app_id', name='pk_index_outbox_old')
    )
    op.execute("INSERT INTO index_outbox_old (app_id, queued_at) "
               "SELECT app_id, max(queued_at) FROM index_outbox GROUP BY app_id")
    op.drop_table('index_outbox')
    op.rename_table('index_outbox_old', 'index_outbox')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE index_outbox RENAME CONSTRAINT pk_index_outbox_old TO pk_index_outbox")
