"""At scale: an S3-compatible object store (AWS S3, MinIO, Ceph, s3proxy …) through boto3.

The bucket is created on first use if it is missing. Every call has short timeouts and few
retries, so a sick store costs a request seconds, not minutes.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from . import FileMissing, StorageUnavailable, StoredFile, checked_key

_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
_PROBE_KEY = ".probe/readiness"


@dataclass(frozen=True)
class S3Settings:
    endpoint_url: str
    bucket: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"
    prefix: str = ""


class S3FileStore:
    def __init__(self, settings: S3Settings):
        self.settings = settings
        self.description = f"s3 bucket {settings.bucket}"
        self._client = boto3.session.Session().client(
            "s3", endpoint_url=settings.endpoint_url, region_name=settings.region,
            aws_access_key_id=settings.access_key_id, aws_secret_access_key=settings.secret_access_key,
            config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 2, "mode": "standard"},
                          s3={"addressing_style": "path"}, signature_version="s3v4",
                          # Checksums only where S3 demands them: many S3-compatible servers do not
                          # take the newer default checksum headers.
                          request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"))
        self._bucket_ready = False

    def put(self, key: str, content: bytes, content_type: str) -> None:
        self._call("put_object", Key=self._name(key), Body=content, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self._call("get_object", Key=self._name(key))["Body"].read()

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=self._name(key))

    def stat(self, key: str) -> StoredFile:
        head = self._call("head_object", Key=self._name(key))
        return StoredFile(key, head["ContentLength"], head["LastModified"])

    def list(self, prefix: str = "") -> Iterator[StoredFile]:
        self._ensure_bucket()
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.settings.bucket, Prefix=self.settings.prefix + prefix)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.settings.prefix):]
                    # Folder markers (keys ending in "/") are how some servers show folders.
                    if not key.startswith(".probe/") and not key.endswith("/"):
                        yield StoredFile(key, item["Size"], item["LastModified"])
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"listing {self.description} failed: {error}") from None

    def check(self, write: bool) -> None:
        if write:
            self.put(_PROBE_KEY, b"ok", "text/plain")
            self.get(_PROBE_KEY)
        else:
            self._call("head_bucket")

    def _name(self, key: str) -> str:
        return self.settings.prefix + checked_key(key)

    def _call(self, operation: str, **arguments):
        self._ensure_bucket()
        try:
            return getattr(self._client, operation)(Bucket=self.settings.bucket, **arguments)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING_CODES:
                raise FileMissing(arguments.get("Key", "")) from None
            raise StorageUnavailable(f"{operation} on {self.description} failed: {error}") from None
        except BotoCoreError as error:
            raise StorageUnavailable(f"{operation} on {self.description} failed: {error}") from None

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        try:
            self._client.head_bucket(Bucket=self.settings.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _MISSING_CODES:
                raise StorageUnavailable(f"{self.description}: {error}") from None
            try:
                self._client.create_bucket(Bucket=self.settings.bucket)
            except ClientError as create_error:
                if create_error.response.get("Error", {}).get("Code") not in (
                        "BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise StorageUnavailable(f"{self.description}: {create_error}") from None
        except BotoCoreError as error:
            raise StorageUnavailable(f"{self.description} unreachable: {error}") from None
        self._bucket_ready = True
