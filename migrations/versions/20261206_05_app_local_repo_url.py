"""app.local_repo_url: the exact repository address an admin registered as local

Revision ID: 20261206_05
Revises: 20261206_04
Create Date: 2026-12-06 16:30:00

Fetches reach a local folder or loopback only for this address (issue 13, finding 7). Existing
folder paths (`/…`, `file://…`) could only ever be saved by an admin, so they keep working;
loopback http(s) addresses may have been saved by a publisher before finding 7 was fixed, so they
are not carried over: their next fetch is refused until an admin saves the address again.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261206_05'
down_revision = '20261206_04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app') as batch_op:
        batch_op.add_column(sa.Column('local_repo_url', sa.String(length=500), nullable=False, server_default=''))
    op.execute("UPDATE app SET local_repo_url = repo_url WHERE repo_url LIKE '/%' OR repo_url LIKE 'file://%'")


def downgrade():
    with op.batch_alter_table('app') as batch_op:
        batch_op.drop_column('local_repo_url')
