"""`make bench`: one module per area measured; `python -m scripts.bench` runs them all."""
