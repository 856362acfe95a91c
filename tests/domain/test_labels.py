"""Every status shows a Chinese label, and is still stored and looked up by its value."""
import re

import housing_swap.db.models  # noqa: F401  (loads every model module, so every status enum is defined)
from housing_swap.db.models import ListingStatus, Role
from housing_swap.domain.labels import LabelledEnum

HAN = re.compile(r"[\u4e00-\u9fff]")


def all_labelled_enums() -> list[type[LabelledEnum]]:
    return LabelledEnum.__subclasses__()


def test_every_member_of_every_status_has_a_chinese_label():
    enums = all_labelled_enums()
    assert len(enums) >= 12
    unlabelled = [f"{enum.__name__}.{member.name}" for enum in enums for member in enum if not HAN.search(member.label)]
    assert unlabelled == []


def test_a_status_is_its_value():
    assert ListingStatus("active") is ListingStatus.ACTIVE
    assert ListingStatus.ACTIVE == "active"
    assert ListingStatus.ACTIVE.label == "在售"
    assert Role.labels()["household"] == "购房家庭"
