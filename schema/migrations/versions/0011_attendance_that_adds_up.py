"""attendance that adds up: roster members represented by a substitute, absence reasons, stays struck with a reason

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# A roster member is represented while a substitute for them is in the room and they are not.
REPRESENTED_NOW = (
    "SELECT COUNT(DISTINCT s.substitute_for_id) FROM checkin AS s "
    "WHERE s.point_id = point.id AND s.substitute_for_id IS NOT NULL AND s.checked_out_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM checkin AS own WHERE own.participant_id = s.substitute_for_id "
    "AND own.checked_out_at IS NULL)"
)


def upgrade() -> None:
    op.add_column('point', sa.Column('represented', sa.Integer(), server_default='0', nullable=False))
    op.add_column('conference', sa.Column('represented', sa.Integer(), server_default='0', nullable=False))
    op.add_column('participant', sa.Column('absence_reason', sa.Text(), nullable=True))
    op.add_column('checkin', sa.Column('undo_reason', sa.Text(), nullable=True))
    op.create_index('ix_checkin_substitute_for_id', 'checkin', ['substitute_for_id'])
    op.execute(f"UPDATE point SET represented = ({REPRESENTED_NOW})")
    op.execute(
        "UPDATE conference SET represented = "
        "(SELECT COALESCE(SUM(point.represented), 0) FROM point WHERE point.conference_id = conference.id)"
    )


def downgrade() -> None:
    op.drop_index('ix_checkin_substitute_for_id', table_name='checkin')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_column('undo_reason')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('absence_reason')
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('represented')
    with op.batch_alter_table('point', schema=None) as batch_op:
        batch_op.drop_column('represented')
