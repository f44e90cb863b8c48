"""deployment: indexes for the public list, newest change first (whole or by status)

Revision ID: 20261206_01
Revises: 20261122_04
Create Date: 2026-12-06 12:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261206_01'
down_revision = '20261122_04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_deployment_updated', 'deployment', ['updated_at', 'id'])
    op.create_index('ix_deployment_status_updated', 'deployment', ['status', 'updated_at', 'id'])


def downgrade():
    op.drop_index('ix_deployment_status_updated', table_name='deployment')
    op.drop_index('ix_deployment_updated', table_name='deployment')
