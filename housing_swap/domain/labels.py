"""Enums that carry the Chinese label people see, so a status has one name in code and one on screen."""
from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """Members are written ``NAME = "value", "标签"``: stored and sent as the value, shown as the label."""

    label: str

    def __new__(cls, value: str, label: str = ""):  # the default only serves lookups by value, Status("x")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Value → label, for templates and exports that hold plain values."""
        return {member.value: member.label for member in cls}
