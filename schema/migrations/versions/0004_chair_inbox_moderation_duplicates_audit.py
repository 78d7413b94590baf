"""chair inbox, moderation, duplicates, audit

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.submissions.search import search_key

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conference.id'], name=op.f('fk_audit_entry_conference_id_conference')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_conference_id'), ['conference_id'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('moderation', sa.String(length=16), server_default='approved', nullable=False))
        batch_op.add_column(sa.Column('duplicate_of', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comment_duplicate_of'), ['duplicate_of'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comment_duplicate_of_comment'), 'comment', ['duplicate_of'], ['id'])

    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('premoderation', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('remark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('moderation', sa.String(length=16), server_default='approved', nullable=False))

    _backfill()


def _backfill() -> None:
    """Input submitted before search existed gets its key once, folded exactly as new input is."""
    bind = op.get_bind()
    for table, texts in (("comment", "c.body, c.proposed_text"), ("remark", "c.title, c.body")):
        rows = bind.execute(sa.text(
            f"SELECT c.id, {texts}, p.full_name, pt.name FROM {table} c"
            " JOIN participant p ON p.id = c.participant_id JOIN point pt ON pt.id = c.point_id"
        )).all()
        for row_id, *parts in rows:
            bind.execute(sa.text(f"UPDATE {table} SET search_key = :key WHERE id = :id"),
                         {"key": search_key(*parts), "id": row_id})


def downgrade() -> None:
    with op.batch_alter_table('remark', schema=None) as batch_op:
        batch_op.drop_column('moderation')
        batch_op.drop_column('search_key')

    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('premoderation')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comment_duplicate_of_comment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comment_duplicate_of'))
        batch_op.drop_column('duplicate_of')
        batch_op.drop_column('moderation')
        batch_op.drop_column('search_key')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_conference_id'))

    op.drop_table('audit_entry')
