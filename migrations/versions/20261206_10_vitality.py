"""app vitality index

Revision ID: 20261206_10
Revises: 20261206_09
Create Date: 2026-12-06 18:30:00

Issue 19, item 6: one row per app with the vitality score (indexed with the app id, for the
catalog's sort and minimum filter), its components, a six-month commit series and when the
worker computed it.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261206_10'
down_revision = '20261206_09'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'app_vitality',
        sa.Column('app_id', sa.Integer(), sa.ForeignKey('app.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('components', sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column('series', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('error', sa.Text(), nullable=False, server_default=''),
    )
    op.create_index('ix_app_vitality_score', 'app_vitality', ['score', 'app_id'])


def downgrade():
    op.drop_index('ix_app_vitality_score', table_name='app_vitality')
    op.drop_table('app_vitality')
