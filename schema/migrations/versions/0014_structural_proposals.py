"""structural proposals: a comment's kind of change, the chair's counter-wording, the secretariat's own proposals,
and the author's answer to the ruling

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The secretariat's proposals are comments with no participant and no point: both become nullable.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('adopted_text', sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column('author_kind', sa.String(length=16), server_default='participant', nullable=False)
        )
        batch_op.add_column(sa.Column('author_agrees', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('author_answer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('author_answered_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('participant_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('point_id', existing_type=sa.Integer(), nullable=True)
    # Every wording proposed before this revision replaced its section.
    op.execute("UPDATE comment SET proposal_kind = 'replace' WHERE proposed_text IS NOT NULL")


def downgrade() -> None:
    # The secretariat's proposals have no author to keep them by: they go with the columns that describe them.
    op.execute("UPDATE comment SET duplicate_of = NULL WHERE duplicate_of IN "
               "(SELECT id FROM comment WHERE participant_id IS NULL)")
    op.execute("DELETE FROM comment WHERE participant_id IS NULL")
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.alter_column('point_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('participant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('author_answered_at')
        batch_op.drop_column('author_answer')
        batch_op.drop_column('author_agrees')
        batch_op.drop_column('author_kind')
        batch_op.drop_column('adopted_text')
        batch_op.drop_column('proposal_kind')
