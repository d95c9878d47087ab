"""The first schema: scenarios, runs, results and samples.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the four tables and their indexes."""
    op.create_table(
        "parley_scenarios",
        sa.Column("scenario_id", sa.String(64), nullable=False, comment="content hash (Scenario.scenario_id)"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False, comment="canonical JSON of Scenario.to_dict()"),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", name="pk_parley_scenarios"),
    )
    op.create_table(
        "parley_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=True),
        sa.Column("model", sa.String(64), nullable=True),
        sa.Column("params", sa.Text(), nullable=False, comment="JSON object"),
        sa.Column("seed", sa.String(80), nullable=True, comment="decimal integer (seeds may exceed 64 bits)"),
        sa.Column("parley_version", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=True),
        sa.Column("finished", sa.DateTime(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True, comment="seconds from started to finished"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("proc_start", sa.String(32), nullable=True, comment="process start mark, to tell a reused pid"),
        sa.CheckConstraint("status IN ('running', 'done', 'failed')", name="ck_parley_runs_status"),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["parley_scenarios.scenario_id"],
            name="fk_parley_runs_scenario_id_parley_scenarios",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_parley_runs"),
    )
    for column in ("created", "status", "kind", "scenario_id"):
        op.create_index(f"ix_parley_runs_{column}", "parley_runs", [column])
    op.create_table(
        "parley_results",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False, comment="JSON"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["parley_runs.id"], name="fk_parley_results_run_id_parley_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", name="pk_parley_results"),
    )
    op.create_table(
        "parley_samples",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("dtype", sa.String(16), nullable=False, comment="numpy dtype string, e.g. <f8"),
        sa.Column("shape", sa.String(255), nullable=False, comment="JSON list of ints"),
        sa.Column("codec", sa.String(16), nullable=False, comment="raw or zlib"),
        sa.Column("data", sa.LargeBinary(), nullable=False, comment="C-order array bytes, maybe compressed"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["parley_runs.id"], name="fk_parley_samples_run_id_parley_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "name", name="pk_parley_samples"),
    )


def downgrade() -> None:
    """Drop everything (the store's data is lost)."""
    op.drop_table("parley_samples")
    op.drop_table("parley_results")
    for column in ("scenario_id", "kind", "status", "created"):
        op.drop_index(f"ix_parley_runs_{column}", table_name="parley_runs")
    op.drop_table("parley_runs")
    op.drop_table("parley_scenarios")
