"""record header: the letterhead of a workshop's record (issuing body, number, national title, place, secretary)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null for every existing conference: its record takes the default letterhead, which is what null means.
    op.add_column('conference', sa.Column('record_header', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('record_header')
