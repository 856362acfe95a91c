"""Development scripts; `bench` is a package (`python -m scripts.bench`)."""
