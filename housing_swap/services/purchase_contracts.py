"""One purchase contract (购房合同/网签备案号) names one new-home purchase, whichever way it was
recorded: an acquisition's new home, a further unit of an acquisition, or a live market swap's
first or second new home. The unique indexes guard each column on its own; no index spans them,
so a new purchase is checked against all of them here."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..db.models import Acquisition, AcquisitionStatus, AdditionalUnit, MarketSwap, MarketSwapStatus
from ..extensions import db
from .errors import Conflict

LIVE_SWAPS = (MarketSwapStatus.RECORDED, MarketSwapStatus.VERIFIED)


def refuse_if_used(number: str, message: str) -> None:
    """Refuse ``number`` with ``message`` when another purchase already names it."""
    checks = (
        select(Acquisition.id).where(Acquisition.purchase_contract_number == number,
                                     Acquisition.status != AcquisitionStatus.CANCELLED),
        select(AdditionalUnit.id).where(AdditionalUnit.purchase_contract_number == number),
        select(MarketSwap.id).where(MarketSwap.status.in_(LIVE_SWAPS), or_(
            MarketSwap.new_purchase_contract_number == number, MarketSwap.second_purchase_contract_number == number)),
    )
    if any(db.session.scalar(check.limit(1)) is not None for check in checks):
        raise Conflict(message)
