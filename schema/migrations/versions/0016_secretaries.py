"""secretaries: comments handed to a secretary, the answer drafted for the chair, staff notes, answer templates

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every existing comment is unassigned and has no draft, which is what null means.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('draft_disposition', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('draft_response', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('draft_adopted_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('drafted_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('drafted_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comment_assigned_to'), ['assigned_to'], unique=False)
        batch_op.create_foreign_key('fk_comment_assigned_to_user_account', 'user_account', ['assigned_to'], ['id'])
        batch_op.create_foreign_key('fk_comment_drafted_by_user_account', 'user_account', ['drafted_by'], ['id'])
    op.create_table(
        'comment_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conference_id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id']),
        sa.ForeignKeyConstraint(['conference_id'], ['conference.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_comment_note_comment_id'), 'comment_note', ['comment_id'], unique=False)
    op.create_index(op.f('ix_comment_note_conference_id'), 'comment_note', ['conference_id'], unique=False)
    op.create_table(
        'answer_template',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conference_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('disposition', sa.String(length=20), nullable=True),
        sa.Column('response', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['conference_id'], ['conference.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_answer_template_conference_id'), 'answer_template', ['conference_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_answer_template_conference_id'), table_name='answer_template')
    op.drop_table('answer_template')
    op.drop_index(op.f('ix_comment_note_conference_id'), table_name='comment_note')
    op.drop_index(op.f('ix_comment_note_comment_id'), table_name='comment_note')
    op.drop_table('comment_note')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_comment_drafted_by_user_account', type_='foreignkey')
        batch_op.drop_constraint('fk_comment_assigned_to_user_account', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comment_assigned_to'))
        for column in ('drafted_at', 'drafted_by', 'draft_adopted_text', 'draft_response', 'draft_disposition',
                       'assigned_at', 'assigned_to'):
            batch_op.drop_column(column)
