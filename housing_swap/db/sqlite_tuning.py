"""Connection settings for the embedded SQLite database, applied to every new connection.

SQLite's defaults suit a small file: a 2 MiB page cache per connection, reads through
``read()`` system calls, sorts spilled to temporary files. At city scale (hundreds of MB) a
search visiting tens of thousands of search rows then spends half its time copying pages from
the operating system. Memory-mapping the file shares one copy of its pages between every
connection and process on the machine (the OS page cache), and keeping the sorter's temporary
B-trees in memory spares the file writes; measured on the 200,000-listing bench set, the
slowest search statements took about 40% less time (docs/performance.md).
"""
from __future__ import annotations

import sqlite3

from sqlalchemy import Engine, event

MMAP_BYTES = 1 << 30  # address space only: pages are mapped as they are read, never copied per connection
SETTINGS = (f"PRAGMA mmap_size = {MMAP_BYTES}", "PRAGMA temp_store = MEMORY")



def install() -> None:
    """Apply ``SETTINGS`` to each SQLite connection any engine opens (idempotent)."""
    if not event.contains(Engine, "connect", _tune):
        event.listen(Engine, "connect", _tune)


def _tune(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        for statement in SETTINGS:
            dbapi_connection.execute(statement)
