"""event streams: each event names its audience and the previous event in it, so consoles can tell a gap

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('event', sa.Column('stream', sa.String(length=40), nullable=True))
    op.add_column('event', sa.Column('prev_seq', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE event SET stream = CASE visibility "
        "WHEN 'point' THEN 'point:' || point_id "
        "WHEN 'participant' THEN 'participant:' || participant_id "
        "ELSE visibility END"
    )
    op.create_index('ix_event_stream', 'event', ['conference_id', 'stream', 'seq'])
    op.execute(
        "UPDATE event SET prev_seq = COALESCE((SELECT MAX(e.seq) FROM event AS e "
        "WHERE e.conference_id = event.conference_id AND e.stream = event.stream AND e.seq < event.seq), 0)"
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('stream', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('prev_seq', existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_stream')
        batch_op.drop_column('prev_seq')
        batch_op.drop_column('stream')
