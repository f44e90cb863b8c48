"""fork.details_pending: the stored fork details lag the counts until the details job ran

Revision ID: 20261122_04
Revises: 20261122_03
Create Date: 2026-11-22 21:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261122_04'
down_revision = '20261122_03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fork', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details_pending', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('fork', schema=None) as batch_op:
        batch_op.drop_column('details_pending')
