"""The platform stores UTC and shows Beijing time (Asia/Shanghai, UTC+8, no daylight saving)."""
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
