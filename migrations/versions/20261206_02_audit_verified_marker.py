"""audit_verified: the newest event known to be intact, so requests verify only what came after

Revision ID: 20261206_02
Revises: 20261206_01
Create Date: 2026-12-06 12:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261206_02'
down_revision = '20261206_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_verified',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verified')),
    )
    # Nothing is verified yet: the first requests (or `flask catalog audit-verify`) move it forward.
    op.execute("INSERT INTO audit_verified (id, seq, hash) VALUES (1, 0, '" + '0' * 64 + "')")


def downgrade():
    op.drop_table('audit_verified')
