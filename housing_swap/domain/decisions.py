"""Decisions with every reason, not just the first failure."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    rule: str
    message: str


@dataclass(frozen=True)
class Decision:
    ok: bool
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @classmethod
    def from_failures(cls, failures: list[Reason]) -> Decision:
        return cls(ok=not failures, reasons=tuple(failures))
