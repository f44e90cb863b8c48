"""app names by prefix: an index on lower(name)

Revision ID: 20261208_01
Revises: 20261207_06
Create Date: 2026-12-08 03:50:00

Issue 12: the /deployments app filter listed every app with a deployment in a datalist, 612 KB
of a 655 KB page at national size (13,500 apps). Past a few hundred apps the page now sends
none and suggests the first names that start with what the person types, read as a range on
this index.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261208_01'
down_revision = '20261207_06'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_app_name_lower', 'app', [sa.text('lower(name)')])


def downgrade():
    op.drop_index('ix_app_name_lower', table_name='app')
