"""attendance counters, roster order, undo, presence

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.text import name_sort_bytes

COUNTERS = {
    "expected": "SELECT count(*) FROM participant p WHERE p.point_id = point.id AND p.on_roster",
    "present": "SELECT count(*) FROM checkin k WHERE k.point_id = point.id AND k.checked_out_at IS NULL",
    "substitutes": "SELECT count(*) FROM checkin k WHERE k.point_id = point.id AND k.checked_out_at IS NULL"
    " AND k.substitute_for_id IS NOT NULL",
    "walk_ins": "SELECT count(*) FROM checkin k WHERE k.point_id = point.id AND k.checked_out_at IS NULL AND k.walk_in",
}

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undone_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('undone_by', sa.String(length=64), nullable=True))

    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('present', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('substitutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('walk_ins', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_key', sa.LargeBinary(), server_default='', nullable=False))
        batch_op.create_index('ix_participant_roster_order', ['conference_id', 'point_id', 'sort_key'], unique=False)

    with op.batch_alter_table('point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('present', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('substitutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('walk_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_checkin_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('operators_online', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('operator_seen_at', sa.DateTime(), nullable=True))

    _backfill()


def _backfill() -> None:
    """Existing workshops get their counters and roster order computed once."""
    bind = op.get_bind()
    for column, count in COUNTERS.items():
        bind.execute(sa.text(f"UPDATE point SET {column} = ({count})"))
        bind.execute(sa.text(f"UPDATE conference SET {column} = (SELECT coalesce(sum({column}), 0) FROM point"
                             " WHERE point.conference_id = conference.id)"))
    rows = bind.execute(sa.text("SELECT id, full_name FROM participant")).all()
    for participant_id, full_name in rows:
        bind.execute(sa.text("UPDATE participant SET sort_key = :key WHERE id = :id"),
                     {"key": name_sort_bytes(full_name), "id": participant_id})


def downgrade() -> None:
    with op.batch_alter_table('point', schema=None) as batch_op:
        batch_op.drop_column('operator_seen_at')
        batch_op.drop_column('operators_online')
        batch_op.drop_column('last_checkin_at')
        batch_op.drop_column('walk_ins')
        batch_op.drop_column('substitutes')
        batch_op.drop_column('present')
        batch_op.drop_column('expected')

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_roster_order')
        batch_op.drop_column('sort_key')

    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('walk_ins')
        batch_op.drop_column('substitutes')
        batch_op.drop_column('present')
        batch_op.drop_column('expected')

    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_column('undone_by')
        batch_op.drop_column('undone_at')

