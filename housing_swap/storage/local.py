"""The embedded default: files in a folder (``instance/files``) of the one machine."""
from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from . import FileMissing, StorageUnavailable, StoredFile, checked_key

_PROBE_KEY = ".probe/readiness"


class LocalFileStore:
    def __init__(self, root: Path):
        self.root = root
        self.description = "local folder"

    def put(self, key: str, content: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside, then renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise FileMissing(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def stat(self, key: str) -> StoredFile:
        try:
            return self._stored(key, self._path(key).stat())
        except FileNotFoundError:
            raise FileMissing(key) from None

    def list(self, prefix: str = "") -> Iterator[StoredFile]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix) and not path.name.startswith(".incoming-") \
                    and not key.startswith(".probe/"):
                yield self._stored(key, path.stat())

    def check(self, write: bool) -> None:
        try:
            if write:
                self.put(_PROBE_KEY, b"ok", "text/plain")
                self.get(_PROBE_KEY)
            elif not os.access(self.root, os.W_OK):
                raise PermissionError(errno.EACCES, "permission denied")
        except OSError as error:
            raise StorageUnavailable(f"{self.root} is not writable: {error.strerror}") from None

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    @staticmethod
    def _stored(key: str, stat: os.stat_result) -> StoredFile:
        return StoredFile(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))
