"""live agenda and speaking limits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extended_minutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('speech_limit_seconds', sa.Integer(), nullable=True))

    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaking_quota_seconds', sa.Integer(), nullable=True))

    with op.batch_alter_table('speaking_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_limit_seconds', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('speaking_request', schema=None) as batch_op:
        batch_op.drop_column('time_limit_seconds')

    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('speaking_quota_seconds')

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_column('speech_limit_seconds')
        batch_op.drop_column('extended_minutes')

