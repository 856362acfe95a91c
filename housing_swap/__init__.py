"""housing_swap: Zhengzhou's "sell old, buy new" (卖旧买新、以旧换新) housing platform."""
from .app import create_app

__all__ = ["create_app"]
