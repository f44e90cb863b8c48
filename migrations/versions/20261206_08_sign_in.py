"""sign-in: single sign-on, two-factor, listed sessions

Revision ID: 20261206_08
Revises: 20261206_07
Create Date: 2026-12-06 18:30:00

Issue 16, items 4-6: organization.password_login (existing organizations keep password sign-in),
two_factor and recovery_code (TOTP and one-time codes), user_session (one row per sign-in; the
sessions signed in before this revision have none and are listed from their next sign-in on).

"""
import sqlalchemy as sa
from alembic import op

revision = '20261206_08'
down_revision = '20261206_07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization') as batch_op:
        batch_op.add_column(sa.Column('password_login', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        'two_factor',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_step', sa.Integer(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_two_factor_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_two_factor')),
    )
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    op.create_index(op.f('ix_recovery_code_user_id'), 'recovery_code', ['user_id'])
    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sid_digest', sa.String(length=32), nullable=False),
        sa.Column('session_version', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('device', sa.String(length=120), nullable=False),
        sa.Column('user_agent', sa.String(length=300), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
        sa.UniqueConstraint('sid_digest', name=op.f('uq_user_session_sid_digest')),
    )
    op.create_index(op.f('ix_user_session_user_id'), 'user_session', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_user_session_user_id'), table_name='user_session')
    op.drop_table('user_session')
    op.drop_index(op.f('ix_recovery_code_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    op.drop_table('two_factor')
    with op.batch_alter_table('organization') as batch_op:
        batch_op.drop_column('password_login')
