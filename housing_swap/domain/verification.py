"""Verifying a listing against the bureau's title registry (核验)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

AREA_TOLERANCE_M2 = Decimal("0.50")  # rounding differences between certificate and listing


class VerificationResult(StrEnum):
    VERIFIED = "verified"
    NOT_FOUND = "not_found"
    MISMATCH = "mismatch"
    SEIZED = "seized"


@dataclass(frozen=True)
class TitleFacts:
    area_m2: Decimal
    owner_id_hash: str
    seized: bool


@dataclass(frozen=True)
class VerificationOutcome:
    result: VerificationResult
    reasons: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        return "；".join(self.reasons)


def verify_listing(area_m2: Decimal, owner_id_hash: str | None, title: TitleFacts | None,
                   tolerance: Decimal = AREA_TOLERANCE_M2) -> VerificationOutcome:
    """Compare a listing's claims with its registry entry; every mismatch is named."""
    if title is None:
        return VerificationOutcome(VerificationResult.NOT_FOUND,
                                   ("登记簿中未找到该不动产权证号，等待住房保障局人工核验",))
    if title.seized:
        return VerificationOutcome(VerificationResult.SEIZED, ("该房屋处于司法查封状态，不能挂牌",))
    reasons = []
    if abs(title.area_m2 - area_m2) > tolerance:
        reasons.append(f"建筑面积与登记簿不符（登记{title.area_m2}㎡，挂牌{area_m2}㎡）")
    if owner_id_hash is None:
        reasons.append("未提供产权人身份证号，无法核对产权人")
    elif owner_id_hash != title.owner_id_hash:
        reasons.append("产权人与登记簿不符")
    if reasons:
        return VerificationOutcome(VerificationResult.MISMATCH, tuple(reasons))
    return VerificationOutcome(VerificationResult.VERIFIED)
