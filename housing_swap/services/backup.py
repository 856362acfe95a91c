"""Backups of the embedded SQLite database and its files: a consistent online copy, and
restoring one.

SQLite's backup API copies pages while the app keeps running and yields a consistent
snapshot; beside it goes a tar of every file in the file store (photos, import reports).
PostgreSQL deployments use pg_dump / base backups and the object store's own versioning or
replication instead (docs/deployment.md).
"""
from __future__ import annotations

import io
import mimetypes
import sqlite3
import tarfile
from pathlib import Path

from ..extensions import db
from .errors import ValidationFailed
from .files import file_store


def files_archive(database_copy: Path) -> Path:
    return database_copy.with_name(database_copy.name + ".files.tar")


def database_file() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ValidationFailed("backup create/restore handle the embedded SQLite database only; "
                               "for PostgreSQL follow docs/deployment.md (pg_dump or base backups)")
    return Path(url.database)


def create_backup(target: Path) -> Path:
    source = database_file()
    if target.exists():
        raise ValidationFailed(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    _archive_files(files_archive(target))
    return target


def _archive_files(archive: Path) -> None:
    store = file_store()
    with tarfile.open(archive, "w") as tar:
        for stored in store.list():
            content = store.get(stored.key)
            member = tarfile.TarInfo(stored.key)
            member.size, member.mtime = len(content), int(stored.modified_at.timestamp())
            tar.addfile(member, io.BytesIO(content))


def _restore_files(archive: Path) -> int:
    store = file_store()
    restored = 0
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            content = tar.extractfile(member)
            if content is None:
                continue
            content_type = mimetypes.guess_type(member.name)[0] or "application/octet-stream"
            store.put(member.name, content.read(), content_type)  # the store refuses unsafe names
            restored += 1
    return restored


def restore_backup(backup: Path) -> None:
    """Replace the live database's contents with the backup's, after checking it is one of ours."""
    live = database_file()
    _check_backup(backup)
    db.session.remove()
    db.engine.dispose()
    with sqlite3.connect(backup) as source, sqlite3.connect(live) as destination:
        source.backup(destination)
    archive = files_archive(backup)
    if archive.is_file():
        _restore_files(archive)


def _check_backup(backup: Path) -> None:
    if not backup.is_file():
        raise ValidationFailed(f"{backup} is not a file")
    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as connection:
            status = connection.execute("PRAGMA integrity_check").fetchone()[0]
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise ValidationFailed(f"{backup} is not a readable housing_swap database: {error}") from None
    if status != "ok" or revision is None:
        raise ValidationFailed(f"{backup} failed its integrity check ({status})")
