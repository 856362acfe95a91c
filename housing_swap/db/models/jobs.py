"""Background jobs as the platform records them: what was asked, by whom, how far it got, and
how it ended. The job runner (``housing_swap/jobs``) carries the work; this row is what pages,
the bureau administrator and ``flask jobs status`` read, on any machine."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ...domain.labels import LabelledEnum
from ..base import Base, UTCDateTime, enum_type, utcnow


class JobState(LabelledEnum):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class JobRun(Base):
    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_state_enqueued", "state", "enqueued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # Names the job's live files (progress, cancel) in the file store: ids can repeat after a restore.
    token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    state: Mapped[JobState] = mapped_column(enum_type(JobState, "job_state"), default=JobState.QUEUED)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES
