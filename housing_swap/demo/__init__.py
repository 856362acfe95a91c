"""Deterministic, realistic Zhengzhou demo data (``flask demo seed``)."""
