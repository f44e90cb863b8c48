"""access_token gets scopes and a required expiry (issue 13, "Also")

Existing tokens keep working the way they did the moment before this migration: they could
push over git, read and write through the API, so they get all three scopes (`git,read,write`).
Giving them fewer would break scripts and pushes in the middle of a working day with nothing
in the page saying why; their owners can replace them with narrower tokens at leisure.

No token may live forever any more. A token without an expiry gets one 90 days from the
migration (the new default lifetime), so nothing stops working today and every old token is
gone within a quarter unless replaced. A token whose owner chose a date later than the new
maximum (365 days from the migration) is cut back to that maximum; earlier dates, revoked and
already expired tokens are left as they were.

Revision ID: 20261206_04
Revises: 20261206_03
Create Date: 2026-12-06 16:00:00

"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261206_04'
down_revision = '20261206_03'
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90
MAX_DAYS = 365


def upgrade():
    with op.batch_alter_table('access_token') as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=64), nullable=False,
                                      server_default='git,read,write'))
    now = datetime.now(UTC)
    token = sa.table('access_token', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(token.update().where(token.c.expires_at.is_(None))
               .values(expires_at=now + timedelta(days=DEFAULT_DAYS)))
    op.execute(token.update().where(token.c.expires_at > now + timedelta(days=MAX_DAYS))
               .values(expires_at=now + timedelta(days=MAX_DAYS)))
    with op.batch_alter_table('access_token') as batch_op:
        # The default served only the rows above: a new token always names its scopes.
        batch_op.alter_column('scopes', existing_type=sa.String(length=64), server_default=None)
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('access_token') as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.drop_column('scopes')
