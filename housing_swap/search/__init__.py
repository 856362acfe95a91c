"""Search: one interface, an embedded SQL backend and Elasticsearch (see docs/architecture.md)."""
