"""R2 storage against moto's S3: put/get/delete/list, multipart uploads, presigned URLs, public URLs."""

import io
from collections.abc import AsyncIterator
from pathlib import Path

import aioboto3
import aiohttp
import httpx
import pytest
from dishka import AsyncContainer
from pydantic import SecretStr

from inkverse.cloudflare.storage import PART_SIZE, ObjectStore, S3Connection, s3_connection
from inkverse.errors import ConfigurationError, ObjectNotFoundError, StorageError, ValidationError
from inkverse.settings import AwsSettings, CloudflareSettings, Settings
from tests.fixtures.services import Services

BUCKET = "ink0"


@pytest.fixture
async def store(
    container: AsyncContainer, settings: Settings, services: Services
) -> AsyncIterator[ObjectStore]:
    """The container's store, with the `ink0` bucket created on moto; moto is reset afterwards."""
    session = await container.get(aioboto3.Session)
    async with session.client("s3", endpoint_url=settings.aws.endpoint_for("s3")) as s3:
        await s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": settings.aws.region}
        )
    yield await container.get(ObjectStore)
    async with httpx.AsyncClient() as http:
        await http.post(f"{services.aws_url}/moto-api/reset")


async def test_put_and_get_keep_content_type_cache_control_and_metadata(store: ObjectStore) -> None:
    await store.put(
        BUCKET,
        "sitemap/comicseries-1.xml",
        b"<urlset/>",
        content_type="application/xml",
        cache_control="public, max-age=86400",
        metadata={"generated-by": "sitemap"},
    )

    stored = await store.get(BUCKET, "sitemap/comicseries-1.xml")

    assert stored.body == b"<urlset/>"
    assert stored.content_type == "application/xml"
    assert stored.cache_control == "public, max-age=86400"
    assert stored.metadata == {"generated-by": "sitemap"}
    assert stored.etag


async def test_a_missing_object_is_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFoundError) as caught:
        await store.get(BUCKET, "nothing/here.txt")

    assert (caught.value.bucket, caught.value.key) == (BUCKET, "nothing/here.txt")


async def test_a_missing_bucket_is_a_storage_error(store: ObjectStore) -> None:
    with pytest.raises(StorageError, match="NoSuchBucket"):
        await store.put("no-such-bucket", "a.txt", b"a", content_type="text/plain")


async def test_delete_removes_the_object_and_is_idempotent(store: ObjectStore) -> None:
    await store.put(BUCKET, "tmp/a.txt", b"a", content_type="text/plain")

    await store.delete(BUCKET, "tmp/a.txt")
    await store.delete(BUCKET, "tmp/a.txt")

    with pytest.raises(ObjectNotFoundError):
        await store.get(BUCKET, "tmp/a.txt")


async def test_list_by_prefix(store: ObjectStore) -> None:
    for key in ("curated-lists/2.webp", "curated-lists/1.webp", "general/creator-digest.png"):
        await store.put(BUCKET, key, key.encode(), content_type="image/webp")

    listed = [info async for info in store.list_objects(BUCKET, "curated-lists/")]

    assert [info.key for info in listed] == ["curated-lists/1.webp", "curated-lists/2.webp"]
    assert [info.size for info in listed] == [len(b"curated-lists/1.webp")] * 2


async def test_a_large_file_goes_up_in_parts(store: ObjectStore, tmp_path: Path) -> None:
    content = bytes(range(256)) * ((PART_SIZE + 1024 * 1024) // 256)
    path = tmp_path / "sitemap.xml"
    path.write_bytes(content)

    await store.upload_file(BUCKET, "sitemap/creator-1.xml", path, content_type="application/xml")

    stored = await store.get(BUCKET, "sitemap/creator-1.xml")
    assert stored.body == content
    assert stored.content_type == "application/xml"
    assert stored.etag.strip('"').endswith("-2")  # a multipart upload of two parts


async def test_a_small_stream_goes_up_in_one_put(store: ObjectStore) -> None:
    await store.upload_stream(
        BUCKET, "general/note.txt", io.BytesIO(b"hello"), content_type="text/plain", cache_control="no-cache"
    )

    stored = await store.get(BUCKET, "general/note.txt")
    assert (stored.body, stored.cache_control) == (b"hello", "no-cache")
    assert "-" not in stored.etag


async def test_presigned_get_and_put(store: ObjectStore) -> None:
    put_url = await store.presigned_put_url(BUCKET, "uploads/a.png", content_type="image/png", expires_in=60)
    async with aiohttp.ClientSession() as http:
        async with http.put(put_url, data=b"\x89PNG", headers={"Content-Type": "image/png"}) as response:
            assert response.status == 200
        get_url = await store.presigned_get_url(BUCKET, "uploads/a.png", expires_in=60)
        async with http.get(get_url) as response:
            assert response.status == 200
            assert await response.read() == b"\x89PNG"

    assert "X-Amz-Expires=60" in get_url
    assert (await store.get(BUCKET, "uploads/a.png")).content_type == "image/png"


async def test_public_urls(store: ObjectStore) -> None:
    assert store.public_url(BUCKET, "sitemap/comicseries-1.xml") == (
        "https://ink0.inkverse.co/sitemap/comicseries-1.xml"
    )
    assert (
        store.public_url(BUCKET, "curated-lists/a b.webp")
        == "https://ink0.inkverse.co/curated-lists/a%20b.webp"
    )
    with pytest.raises(ConfigurationError, match="CLOUDFLARE_R2_PUBLIC_URLS"):
        store.public_url("private", "a.txt")


@pytest.mark.parametrize("key", ["", "/leading-slash.txt"])
async def test_bad_keys_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValidationError):
        await store.put(BUCKET, key, b"x", content_type="text/plain")


def test_the_emulator_endpoint_wins() -> None:
    connection = s3_connection(
        AwsSettings(endpoint_url="http://127.0.0.1:5000"), CloudflareSettings(account_id="acc")
    )

    assert connection == S3Connection(endpoint_url="http://127.0.0.1:5000")


def test_r2_endpoint_and_keys() -> None:
    cloudflare = CloudflareSettings(account_id="acc123", access_key="key", secret_key=SecretStr("secret"))

    connection = s3_connection(AwsSettings(), cloudflare)

    assert connection == S3Connection(
        endpoint_url="https://acc123.r2.cloudflarestorage.com",
        region_name="auto",
        access_key_id="key",
        secret_access_key="secret",
    )


def test_r2_without_credentials_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="CLOUDFLARE_ACCOUNT_ID"):
        s3_connection(AwsSettings(), CloudflareSettings(account_id="acc123"))


class FailingStream(io.BytesIO):
    """Gives one part, then fails, as a broken disk or pipe would."""

    def __init__(self) -> None:
        super().__init__(b"x" * PART_SIZE)

    def read(self, size: int | None = -1) -> bytes:
        if self.getbuffer().nbytes == self.tell():
            raise OSError("disk went away")
        return super().read(size)


async def test_a_failed_multipart_upload_leaves_no_parts(
    store: ObjectStore, container: AsyncContainer, settings: Settings
) -> None:
    with pytest.raises(OSError, match="disk went away"):
        await store.upload_stream(
            BUCKET, "sitemap/broken.xml", FailingStream(), content_type="application/xml"
        )

    session = await container.get(aioboto3.Session)
    async with session.client("s3", endpoint_url=settings.aws.endpoint_for("s3")) as s3:
        uploads = await s3.list_multipart_uploads(Bucket=BUCKET)
    assert uploads.get("Uploads", []) == []
    assert [info async for info in store.list_objects(BUCKET)] == []
