"""The order in which households waiting for a city-group place are taken in (名额排队).

Two orders, chosen by the rule ``queue_by_lottery``: by complete submission time (first come,
first served), or by a published lottery (Lanxi's notarised draw). A lottery is fair only if
nobody could pick the seed after seeing the entrants, and anyone can check the result:

1. the bureau commits: the platform draws a secret random seed and publishes its SHA-256 (the
   commitment) with the time; the entrants are the households waiting at that moment;
2. the bureau draws: the seed is published, and the entrants are ordered by the key
   ``SHA-256(seed + ":" + application number)`` (hex, ascending; the number breaks a tie);
3. anyone re-runs it from the published seed and numbers (``lottery_order``) and checks the seed
   against the commitment (``commitment_of``).

Households who became eligible after the commitment come after the drawn ones, by submission time.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

ALGORITHM = ("排序键 = SHA-256(种子 + \":\" + 申请编号) 的十六进制文本；按排序键从小到大排列，"
             "排序键相同时申请编号小者在前。种子的 SHA-256 须与抽签前公布的承诺值一致。")
PACE_WINDOW_DAYS = 28   # the recent pace of intakes, over the last four weeks


def commitment_of(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def lottery_key(seed: str, application_id: int) -> str:
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


def lottery_order(seed: str, application_ids: list[int]) -> list[int]:
    return sorted(application_ids, key=lambda number: (lottery_key(seed, number), number))


def queue_order(waiting_by_submission: list[int], drawn_order: list[int] | None) -> list[int]:
    """Everyone waiting, in the order they are taken in: the drawn ones by the draw, then the rest
    by submission time (``waiting_by_submission`` is already in that order)."""
    if drawn_order is None:
        return list(waiting_by_submission)
    waiting = set(waiting_by_submission)
    drawn = [number for number in drawn_order if number in waiting]
    placed = set(drawn)
    return drawn + [number for number in waiting_by_submission if number not in placed]


@dataclass(frozen=True)
class Pace:
    intakes: int                    # applications taken in during the window
    window_days: int = PACE_WINDOW_DAYS

    def expected_wait_days(self, position: int) -> int | None:
        """Days until the household at ``position`` (1 = next) is taken in at this pace; None without a pace."""
        if self.intakes <= 0:
            return None
        return math.ceil(position * self.window_days / self.intakes)

    def text(self) -> str:
        if self.intakes <= 0:
            return f"近{self.window_days}天没有受理记录，暂无法估计等待时间"
        return f"按近{self.window_days}天受理{self.intakes}户的速度估算"
