"""apps of a category by name: an index on (category, lower(name))

Revision ID: 20261207_06
Revises: 20261207_05
Create Date: 2026-12-07 12:20:00

Issue 12: the apps an entry may duplicate (the review queue, the publisher's form) include the
first few of its category group in name order; without this index each category's apps were all
read and sorted, 13 ms a call at 27,000 apps and 20 calls on the review page.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261207_06'
down_revision = '20261207_05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_app_category_name', 'app', ['category', sa.text('lower(name)')])


def downgrade():
    op.drop_index('ix_app_category_name', table_name='app')
