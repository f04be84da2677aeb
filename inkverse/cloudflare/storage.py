"""Object storage on Cloudflare R2 through its S3 API (moto's S3 in development and tests).

Buckets and their public domains come from `CLOUDFLARE_R2_BUCKETS` / `CLOUDFLARE_R2_PUBLIC_URLS`
(`ink0` is served at `https://ink0.inkverse.co`). When `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) is
set, that S3 endpoint is used with the AWS credentials instead of R2.
"""

import asyncio
import io
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError
from types_aiobotocore_s3 import S3Client
from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

from inkverse.errors import ConfigurationError, ObjectNotFoundError, StorageError, ValidationError
from inkverse.settings import AwsSettings, CloudflareSettings

R2_REGION = "auto"
MIB = 1024 * 1024
PART_SIZE = 8 * MIB
"""Objects up to this size go in one PUT; larger ones in parts of this size (S3's minimum is 5 MiB)."""
PARTS_IN_FLIGHT = 2
"""Parts read ahead and uploaded at once: bounds the memory of a large upload (the original's queueSize)."""
DEFAULT_URL_LIFETIME_SECONDS = 3600

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_CLIENT_CONFIG = AioConfig(
    connect_timeout=5,
    read_timeout=60,
    retries={"max_attempts": 5, "mode": "standard"},
    s3={"addressing_style": "path"},
    signature_version="s3v4",
)


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    body: bytes
    content_type: str | None
    cache_control: str | None
    etag: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    etag: str
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class S3Connection:
    """Where the S3 client connects: R2, or an emulator with the AWS credentials (the `None`s)."""

    endpoint_url: str
    region_name: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None


def s3_connection(aws: AwsSettings, cloudflare: CloudflareSettings) -> S3Connection:
    emulator = aws.endpoint_for("s3")
    if emulator:
        return S3Connection(endpoint_url=emulator)
    if not (cloudflare.account_id and cloudflare.access_key and cloudflare.secret_key):
        raise ConfigurationError(
            "CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_ACCESS_KEY and CLOUDFLARE_SECRET_KEY: required for R2 storage"
        )
    return S3Connection(
        endpoint_url=f"https://{cloudflare.account_id}.r2.cloudflarestorage.com",
        region_name=R2_REGION,
        access_key_id=cloudflare.access_key,
        secret_access_key=cloudflare.secret_key.get_secret_value(),
    )


def check_key(key: str) -> str:
    if not key or key.startswith("/"):
        raise ValidationError("key", "must be non-empty and must not start with /")
    return key


@contextmanager
def _storage_errors(operation: str, bucket: str, key: str = "") -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _NOT_FOUND_CODES and key:
            raise ObjectNotFoundError(bucket, key) from exc
        raise StorageError(f"{operation} {bucket}/{key}: {code or exc}") from exc
    except BotoCoreError as exc:
        raise StorageError(f"{operation} {bucket}/{key}: {exc}") from exc


async def _read_part(stream: BinaryIO) -> bytes:
    """Up to `PART_SIZE` bytes (fewer only at the end of the stream), read off the event loop."""
    chunks: list[bytes] = []
    size = 0
    while size < PART_SIZE:
        chunk = await asyncio.to_thread(stream.read, PART_SIZE - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _object_arguments(
    content_type: str, cache_control: str | None, metadata: Mapping[str, str] | None
) -> dict[str, Any]:
    arguments: dict[str, Any] = {"ContentType": content_type}
    if cache_control is not None:
        arguments["CacheControl"] = cache_control
    if metadata:
        arguments["Metadata"] = dict(metadata)
    return arguments


class ObjectStore:
    """Put, stream, get, delete, list and presign objects; build their public URLs."""

    def __init__(self, s3: S3Client, public_urls: Mapping[str, str]) -> None:
        self._s3 = s3
        self._public_urls = dict(public_urls)

    async def put(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        content_type: str,
        cache_control: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        arguments = _object_arguments(content_type, cache_control, metadata)
        with _storage_errors("put", bucket, key):
            await self._put(bucket, check_key(key), body, arguments)

    async def upload_file(
        self,
        bucket: str,
        key: str,
        path: Path,
        *,
        content_type: str,
        cache_control: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Stream a file from disk; large files go up in parts, and a failed upload leaves no parts."""
        stream = await asyncio.to_thread(path.open, "rb")
        try:
            await self.upload_stream(
                bucket, key, stream, content_type=content_type, cache_control=cache_control, metadata=metadata
            )
        finally:
            stream.close()

    async def upload_stream(
        self,
        bucket: str,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str,
        cache_control: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Like `upload_file`, from an open binary stream read part by part."""
        arguments = _object_arguments(content_type, cache_control, metadata)
        with _storage_errors("upload", bucket, key):
            first = await _read_part(stream)
            if len(first) < PART_SIZE:
                await self._put(bucket, check_key(key), first, arguments)
            else:
                await self._upload_in_parts(bucket, check_key(key), first, stream, arguments)

    async def _put(self, bucket: str, key: str, body: bytes, arguments: dict[str, Any]) -> None:
        # A stream, not raw bytes: aiohttp copies a large bytes body while holding the event loop.
        await self._s3.put_object(Bucket=bucket, Key=key, Body=io.BytesIO(body), **arguments)

    async def _upload_in_parts(
        self, bucket: str, key: str, first: bytes, stream: BinaryIO, arguments: dict[str, Any]
    ) -> None:
        upload = await self._s3.create_multipart_upload(Bucket=bucket, Key=key, **arguments)
        upload_id = upload["UploadId"]
        try:
            parts = await self._send_parts(bucket, key, upload_id, first, stream)
            await self._s3.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            await self._s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            raise

    async def _send_parts(
        self, bucket: str, key: str, upload_id: str, first: bytes, stream: BinaryIO
    ) -> list[CompletedPartTypeDef]:
        """Send the parts, `PARTS_IN_FLIGHT` at most on the wire while the next one is read."""
        slots = asyncio.Semaphore(PARTS_IN_FLIGHT)
        etags: dict[int, str] = {}

        async def send(number: int, data: bytes) -> None:
            try:
                response = await self._s3.upload_part(
                    Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=io.BytesIO(data)
                )
                etags[number] = response["ETag"]
            finally:
                slots.release()

        try:
            async with asyncio.TaskGroup() as group:
                number, data = 1, first
                while data:
                    await slots.acquire()
                    group.create_task(send(number, data))
                    number, data = number + 1, await _read_part(stream)
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        return [{"PartNumber": number, "ETag": etag} for number, etag in sorted(etags.items())]

    async def get(self, bucket: str, key: str) -> StoredObject:
        """The object with its body; `ObjectNotFoundError` when there is none."""
        with _storage_errors("get", bucket, key):
            response = await self._s3.get_object(Bucket=bucket, Key=check_key(key))
            async with response["Body"] as stream:
                body = await stream.read()
        return StoredObject(
            key=key,
            body=body,
            content_type=response.get("ContentType"),
            cache_control=response.get("CacheControl"),
            etag=response.get("ETag", ""),
            metadata=dict(response.get("Metadata", {})),
        )

    async def delete(self, bucket: str, key: str) -> None:
        """Delete the object; deleting a missing object is not an error."""
        with _storage_errors("delete", bucket, key):
            await self._s3.delete_object(Bucket=bucket, Key=check_key(key))

    async def list_objects(self, bucket: str, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        """Every object whose key starts with `prefix`, in key order, page by page."""
        paginator = self._s3.get_paginator("list_objects_v2")
        with _storage_errors("list", bucket, prefix):
            async for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield ObjectInfo(
                        key=item["Key"],
                        size=item["Size"],
                        etag=item.get("ETag", ""),
                        last_modified=item["LastModified"],
                    )

    async def presigned_get_url(
        self, bucket: str, key: str, *, expires_in: int = DEFAULT_URL_LIFETIME_SECONDS
    ) -> str:
        with _storage_errors("presign", bucket, key):
            return await self._s3.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": check_key(key)}, ExpiresIn=expires_in
            )

    async def presigned_put_url(
        self, bucket: str, key: str, *, content_type: str, expires_in: int = DEFAULT_URL_LIFETIME_SECONDS
    ) -> str:
        """A URL to PUT the object to; the upload must send the same `Content-Type`."""
        params = {"Bucket": bucket, "Key": check_key(key), "ContentType": content_type}
        with _storage_errors("presign", bucket, key):
            return await self._s3.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in)

    def public_url(self, bucket: str, key: str) -> str:
        """The object's address on the bucket's public domain (`ink0` → `https://ink0.inkverse.co/<key>`)."""
        base = self._public_urls.get(bucket)
        if base is None:
            raise ConfigurationError(f"CLOUDFLARE_R2_PUBLIC_URLS: no public URL for bucket {bucket!r}")
        return f"{base.rstrip('/')}/{quote(check_key(key))}"


@asynccontextmanager
async def open_object_store(
    session: aioboto3.Session, aws: AwsSettings, cloudflare: CloudflareSettings
) -> AsyncIterator[ObjectStore]:
    connection = s3_connection(aws, cloudflare)
    client: S3Client
    async with session.client(
        "s3",
        endpoint_url=connection.endpoint_url,
        region_name=connection.region_name,
        aws_access_key_id=connection.access_key_id,
        aws_secret_access_key=connection.secret_access_key,
        config=_CLIENT_CONFIG,
    ) as client:
        yield ObjectStore(client, cloudflare.r2_public_urls)
