"""Zhengzhou's districts as reference data (source: shared/reference/program-facts.md).

Codes are national administrative division codes. 郑东新区 has no national code, so the
platform uses the project-local code ``410190`` (the 4101 city prefix with a number the
national list does not use); it is documented in docs/data-model.md. The main-urban and
pilot flags here only seed the first rule set; the rule set in force decides.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZHENGDONG_LOCAL_CODE = "410190"


@dataclass(frozen=True)
class DistrictInfo:
    code: str
    name: str
    main_urban: bool
    pilot: bool
    lat: Decimal
    lon: Decimal
    approximate_centre: bool = False


def _d(code, name, main_urban, pilot, lat, lon, approx=False) -> DistrictInfo:
    return DistrictInfo(code, name, main_urban, pilot, Decimal(lat), Decimal(lon), approx)


ZHENGZHOU_DISTRICTS: tuple[DistrictInfo, ...] = (
    _d("410102", "中原区", True, False, "34.7483", "113.6116"),
    _d("410103", "二七区", True, False, "34.7309", "113.6454"),
    _d("410104", "管城回族区", True, False, "34.7465", "113.6853"),
    _d("410105", "金水区", True, True, "34.7758", "113.6860"),
    _d("410106", "上街区", False, False, "34.8087", "113.2983"),
    _d("410108", "惠济区", True, False, "34.8286", "113.6184"),
    _d("410122", "中牟县", False, False, "34.7220", "114.0225"),
    _d("410171", "郑州经开区", True, False, "34.72", "113.75", approx=True),
    _d("410172", "郑州高新区", True, False, "34.81", "113.56", approx=True),
    _d("410173", "郑州航空港区", False, False, "34.53", "113.85", approx=True),
    _d(ZHENGDONG_LOCAL_CODE, "郑东新区", True, True, "34.77", "113.73", approx=True),
    _d("410181", "巩义市", False, False, "34.7522", "112.9828"),
    _d("410182", "荥阳市", False, False, "34.7891", "113.3915"),
    _d("410183", "新密市", False, False, "34.5378", "113.3806"),
    _d("410184", "新郑市", False, False, "34.3942", "113.7397"),
    _d("410185", "登封市", False, False, "34.4599", "113.0378"),
)

DISTRICTS_BY_CODE = {district.code: district for district in ZHENGZHOU_DISTRICTS}
