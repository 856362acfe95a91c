"""Where files live: one small interface, two stores.

Every file the platform keeps (listing photos and their thumbnails, import error reports) goes
through a :class:`FileStore` under a key such as ``listing-photos/<key>.jpg``. On the embedded
default the store is a local folder; at scale it is an S3-compatible object store that every app
machine shares, so a photo uploaded through one machine is served by any other.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class FileMissing(LookupError):
    """No file is stored under the key."""


class StorageUnavailable(RuntimeError):
    """The store could not be reached or refused the request."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    modified_at: datetime  # UTC


class FileStore(Protocol):
    description: str

    def put(self, key: str, content: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def stat(self, key: str) -> StoredFile: ...

    def list(self, prefix: str = "") -> Iterator[StoredFile]: ...

    def check(self, write: bool) -> None:
        """Raise StorageUnavailable unless the store answers now; with ``write``, unless a file
        could be written and read back."""


def checked_key(key: str) -> str:
    """Keys are ours, never a user's text; refuse anything that could climb out of the store."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts) or "\\" in key:
        raise ValueError(f"unsafe storage key {key!r}")
    return key
