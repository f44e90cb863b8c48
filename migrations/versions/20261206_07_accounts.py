"""accounts: organization admins, invitations, password resets

Revision ID: 20261206_07
Revises: 20261206_06
Create Date: 2026-12-06 18:30:00

Issue 16, items 1-3: `user_account.last_login_at` (empty for existing accounts: nobody has
signed in since it was recorded), and `account_link`, the one-time invitation and reset links
(only their SHA-256 is kept). The new role `org_admin` fits the existing role column.

"""
import sqlalchemy as sa
from alembic import op

revision = '20261206_07'
down_revision = '20261206_06'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_user_account_last_login_at', ['last_login_at'])
    op.create_table(
        'account_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_link_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_link_token_hash')),
    )
    op.create_index('ix_account_link_user_kind', 'account_link', ['user_id', 'kind'])


def downgrade():
    op.drop_index('ix_account_link_user_kind', table_name='account_link')
    op.drop_table('account_link')
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_index('ix_user_account_last_login_at')
        batch_op.drop_column('last_login_at')
