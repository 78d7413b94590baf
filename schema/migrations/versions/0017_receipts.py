"""receipts: each comment and remark keeps the SHA-256 receipt its author was given, looked up by it

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""
from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from alembic import op

from server.submissions.receipts import comment_receipt, remark_receipt

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# Only the columns a receipt covers; created_at as the naive UTC the column holds, made aware below.
COMMENTS = sa.table(
    'comment', sa.column('id', sa.Integer()), sa.column('conference_id', sa.Integer()),
    sa.column('participant_id', sa.Integer()), sa.column('section_anchor', sa.String()), sa.column('body', sa.Text()),
    sa.column('proposal_kind', sa.String()), sa.column('proposed_text', sa.Text()),
    sa.column('created_at', sa.DateTime()), sa.column('receipt', sa.String()),
)
REMARKS = sa.table(
    'remark', sa.column('id', sa.Integer()), sa.column('conference_id', sa.Integer()),
    sa.column('participant_id', sa.Integer()), sa.column('agenda_item_id', sa.Integer()), sa.column('title', sa.Text()),
    sa.column('body', sa.Text()), sa.column('attachment_sha256', sa.String()),
    sa.column('created_at', sa.DateTime()), sa.column('receipt', sa.String()),
)


def upgrade() -> None:
    for table in ('comment', 'remark'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('receipt', sa.String(length=64), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_receipt'), ['receipt'], unique=False)
    _backfill()


class _Stored:
    """A row read here, with its created_at made the aware UTC instant the application reads."""

    def __init__(self, row: sa.Row) -> None:
        self.__dict__.update(row._asdict())
        self.created_at = self.created_at.replace(tzinfo=UTC)


def _backfill() -> None:
    """Input made before receipts gets the receipt it would have been given, so an open workshop's record covers
    all of it and its authors can look theirs up; a record already frozen keeps the model it was frozen with."""
    bind = op.get_bind()
    for table, made in ((COMMENTS, comment_receipt), (REMARKS, remark_receipt)):
        for row in bind.execute(sa.select(*(c for c in table.c if c.name != 'receipt'))).all():
            bind.execute(sa.update(table).where(table.c.id == row.id).values(receipt=made(_Stored(row))))


def downgrade() -> None:
    for table in ('remark', 'comment'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_receipt'))
            batch_op.drop_column('receipt')
