"""Google and Apple ID tokens, signed with real RSA keys and checked against a local JWKS server:
every refusal has the status and message of the original's routes (graphql.md §1.3)."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from dishka import AsyncContainer

from inkverse.container import build_container
from inkverse.settings import AppleSettings, GoogleSettings, Settings, load_settings
from inkverse.users.identity import IdentityError, IdentityVerifier, VerifiedIdentity
from tests.fixtures.fake_jwks import FakeJwks, SigningKey, serve_fake_jwks

WEB_CLIENT_ID = "1234-web.apps.googleusercontent.com"
IOS_CLIENT_ID = "1234-ios.apps.googleusercontent.com"
APPLE_SERVICE_ID = "co.inkverse.web"
APPLE_CLIENT_ID = "co.inkverse.app"
GOOGLE_USER = "108234567890123456789"
APPLE_USER = "001234.abcdef0123456789.1234"


@dataclass(frozen=True)
class Keys:
    current: SigningKey
    rotated: SigningKey
    stranger: SigningKey


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(SigningKey.generate("key-1"), SigningKey.generate("key-2"), SigningKey.generate("key-x"))


@pytest.fixture
async def google_jwks(keys: Keys) -> AsyncIterator[FakeJwks]:
    async for server in serve_fake_jwks(keys.current):
        yield server


@pytest.fixture
async def apple_jwks(keys: Keys) -> AsyncIterator[FakeJwks]:
    async for server in serve_fake_jwks(keys.current):
        yield server


def google_settings(jwks: FakeJwks, **changes: Any) -> GoogleSettings:
    values = {"client_id_web": WEB_CLIENT_ID, "client_id_ios": IOS_CLIENT_ID, "jwks_url": jwks.url}
    return GoogleSettings(**(values | changes))


def apple_settings(jwks: FakeJwks, **changes: Any) -> AppleSettings:
    values = {"service_id": APPLE_SERVICE_ID, "client_id": APPLE_CLIENT_ID, "jwks_url": jwks.url}
    return AppleSettings(**(values | changes))


async def verifier_from_container(settings: Settings) -> AsyncIterator[IdentityVerifier]:
    container: AsyncContainer = build_container(settings, "test")
    yield await container.get(IdentityVerifier)
    await container.close()


@pytest.fixture
async def verifier(google_jwks: FakeJwks, apple_jwks: FakeJwks) -> AsyncIterator[IdentityVerifier]:
    """The container's verifier, for the fake providers."""
    settings = Settings(google=google_settings(google_jwks), apple=apple_settings(apple_jwks))
    async for built in verifier_from_container(settings):
        yield built


def claims(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with `changes` applied; a change to None removes the claim."""
    merged = base | changes
    return {name: value for name, value in merged.items() if value is not None}


def google_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": "https://accounts.google.com",
        "azp": WEB_CLIENT_ID,
        "aud": WEB_CLIENT_ID,
        "sub": GOOGLE_USER,
        "email": "reader@example.com",
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
    }
    return claims(base, changes)


def apple_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": "https://appleid.apple.com",
        "aud": APPLE_SERVICE_ID,
        "sub": APPLE_USER,
        "email": "reader@privaterelay.appleid.com",
        "email_verified": "true",
        "iat": now,
        "exp": now + 600,
    }
    return claims(base, changes)


async def refusal(verification: Awaitable[VerifiedIdentity]) -> tuple[int, str]:
    with pytest.raises(IdentityError) as refused:
        await verification
    return refused.value.status, refused.value.message


class TestGoogle:
    @pytest.mark.parametrize(
        ("source", "audience"),
        [(None, WEB_CLIENT_ID), ("web", WEB_CLIENT_ID), ("android", WEB_CLIENT_ID), ("ios", IOS_CLIENT_ID)],
    )
    async def test_a_token_for_the_sources_client_id_is_verified(
        self, verifier: IdentityVerifier, keys: Keys, source: str | None, audience: str
    ) -> None:
        token = keys.current.sign(google_claims(aud=audience))
        identity = await verifier.verify_google(token, source)
        assert identity == VerifiedIdentity(GOOGLE_USER, "reader@example.com", email_verified=True)

    @pytest.mark.parametrize("issuer", ["accounts.google.com", "https://accounts.google.com"])
    async def test_both_google_issuers_are_accepted(
        self, verifier: IdentityVerifier, keys: Keys, issuer: str
    ) -> None:
        identity = await verifier.verify_google(keys.current.sign(google_claims(iss=issuer)), "web")
        assert identity.provider_user_id == GOOGLE_USER

    async def test_an_unverified_address_is_reported_as_such(
        self, verifier: IdentityVerifier, keys: Keys
    ) -> None:
        token = keys.current.sign(google_claims(email_verified=False))
        assert (await verifier.verify_google(token, "web")).email_verified is False

    async def test_an_expired_token_is_refused(self, verifier: IdentityVerifier, keys: Keys) -> None:
        now = int(time.time())
        token = keys.current.sign(google_claims(iat=now - 7200, exp=now - 3600))
        assert await refusal(verifier.verify_google(token, "web")) == (401, "Expired Google token")

    async def test_a_token_expired_within_googles_clock_skew_is_accepted(
        self, verifier: IdentityVerifier, keys: Keys
    ) -> None:
        now = int(time.time())
        token = keys.current.sign(google_claims(iat=now - 3600, exp=now - 60))
        assert (await verifier.verify_google(token, "web")).provider_user_id == GOOGLE_USER

    @pytest.mark.parametrize(
        ("audience", "source"), [(IOS_CLIENT_ID, "web"), (WEB_CLIENT_ID, "ios"), (None, "web")]
    )
    async def test_a_token_for_another_client_is_refused(
        self, verifier: IdentityVerifier, keys: Keys, audience: str | None, source: str
    ) -> None:
        token = keys.current.sign(google_claims(aud=audience))
        assert await refusal(verifier.verify_google(token, source)) == (
            401,
            "Google token was not issued for this application",
        )

    @pytest.mark.parametrize("issuer", ["https://evil.example", "google.com", None])
    async def test_another_issuer_is_refused(
        self, verifier: IdentityVerifier, keys: Keys, issuer: str | None
    ) -> None:
        token = keys.current.sign(google_claims(iss=issuer))
        assert await refusal(verifier.verify_google(token, "web")) == (
            401,
            "Invalid Google token: incorrect issuer",
        )

    async def test_a_token_signed_by_another_key_is_refused(
        self, verifier: IdentityVerifier, keys: Keys
    ) -> None:
        forged = keys.stranger.sign(google_claims(), kid=keys.current.kid)
        assert await refusal(verifier.verify_google(forged, "web")) == (401, "Invalid Google token signature")

    async def test_a_tampered_payload_is_refused(self, verifier: IdentityVerifier, keys: Keys) -> None:
        header, _, signature = keys.current.sign(google_claims()).split(".")
        _, payload, _ = keys.current.sign(google_claims(sub="someone-else")).split(".")
        tampered = f"{header}.{payload}.{signature}"
        assert await refusal(verifier.verify_google(tampered, "web")) == (
            401,
            "Invalid Google token signature",
        )

    async def test_a_symmetric_token_is_refused(self, verifier: IdentityVerifier, keys: Keys) -> None:
        public_jwk = str(keys.current.jwk())
        token = jwt.encode(google_claims(), public_jwk, algorithm="HS256", headers={"kid": keys.current.kid})
        assert await refusal(verifier.verify_google(token, "web")) == (401, "Invalid Google token signature")

    @pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30"])
    async def test_a_malformed_token_is_refused(self, verifier: IdentityVerifier, token: str) -> None:
        assert await refusal(verifier.verify_google(token, "web")) == (401, "Malformed Google token")

    async def test_a_token_without_subject_is_refused(self, verifier: IdentityVerifier, keys: Keys) -> None:
        token = keys.current.sign(google_claims(sub=None))
        assert await refusal(verifier.verify_google(token, "web")) == (
            401,
            "Invalid Google token: missing user ID",
        )

    async def test_a_token_without_email_is_refused(self, verifier: IdentityVerifier, keys: Keys) -> None:
        token = keys.current.sign(google_claims(email=None))
        assert await refusal(verifier.verify_google(token, "web")) == (
            401,
            "Invalid Google token: missing email",
        )

    async def test_a_key_the_provider_does_not_publish_is_refused_without_flooding_it(
        self, verifier: IdentityVerifier, keys: Keys, google_jwks: FakeJwks
    ) -> None:
        await verifier.verify_google(keys.current.sign(google_claims()), "web")
        unknown = keys.stranger.sign(google_claims())
        for _ in range(3):
            assert await refusal(verifier.verify_google(unknown, "web")) == (
                401,
                "Invalid Google token signature",
            )
        # The keys were just fetched: the refetch interval (60 s by default) holds back every refetch.
        assert google_jwks.fetches == 1

    @pytest.mark.parametrize("source", ["web", "android", "ios"])
    async def test_a_missing_client_id_is_a_configuration_error(
        self, google_jwks: FakeJwks, apple_jwks: FakeJwks, keys: Keys, source: str
    ) -> None:
        unset = google_settings(google_jwks, client_id_web=None, client_id_ios=None)
        settings = Settings(google=unset, apple=apple_settings(apple_jwks))
        async for verifier in verifier_from_container(settings):
            token = keys.current.sign(google_claims())
            assert await refusal(verifier.verify_google(token, source)) == (
                500,
                "Server configuration error: Missing Google Client ID",
            )
        assert google_jwks.fetches == 0

    async def test_an_unknown_source_is_refused(self, verifier: IdentityVerifier, keys: Keys) -> None:
        token = keys.current.sign(google_claims())
        assert await refusal(verifier.verify_google(token, "windows")) == (500, "Failed to login with Google")

    async def test_unreachable_keys_fail_the_login(
        self, verifier: IdentityVerifier, keys: Keys, google_jwks: FakeJwks
    ) -> None:
        google_jwks.fail_with(503)
        with pytest.raises(IdentityError) as refused:
            await verifier.verify_google(keys.current.sign(google_claims()), "web")
        assert (refused.value.status, refused.value.message) == (500, "Failed to login with Google")
        assert refused.value.details == f"{google_jwks.url} answered HTTP 503"


class TestApple:
    @pytest.mark.parametrize(
        ("source", "audience"),
        [
            (None, APPLE_SERVICE_ID),
            ("web", APPLE_SERVICE_ID),
            ("ios", APPLE_CLIENT_ID),
            ("app", APPLE_CLIENT_ID),
        ],
    )
    async def test_a_token_for_the_sources_audience_is_verified(
        self, verifier: IdentityVerifier, keys: Keys, source: str | None, audience: str
    ) -> None:
        identity = await verifier.verify_apple(keys.current.sign(apple_claims(aud=audience)), source)
        assert identity == VerifiedIdentity(
            APPLE_USER, "reader@privaterelay.appleid.com", email_verified=True
        )

    async def test_a_token_without_email_is_verified_without_one(
        self, verifier: IdentityVerifier, keys: Keys
    ) -> None:
        token = keys.current.sign(apple_claims(email=None, email_verified=None))
        assert await verifier.verify_apple(token, "web") == VerifiedIdentity(
            APPLE_USER, None, email_verified=False
        )

    async def test_an_expired_token_is_refused_without_clock_skew(
        self, verifier: IdentityVerifier, keys: Keys
    ) -> None:
        now = int(time.time())
        token = keys.current.sign(apple_claims(iat=now - 600, exp=now - 5))
        assert await refusal(verifier.verify_apple(token, "web")) == (401, "Expired Apple ID token")

    @pytest.mark.parametrize(
        ("changes", "reason"),
        [
            ({"aud": APPLE_CLIENT_ID}, f"jwt audience invalid. expected: {APPLE_SERVICE_ID}"),
            ({"aud": None}, f"jwt audience invalid. expected: {APPLE_SERVICE_ID}"),
            (
                {"iss": "https://accounts.google.com"},
                "jwt issuer invalid. expected: https://appleid.apple.com",
            ),
        ],
    )
    async def test_a_token_for_another_audience_or_issuer_is_refused(
        self, verifier: IdentityVerifier, keys: Keys, changes: dict[str, Any], reason: str
    ) -> None:
        token = keys.current.sign(apple_claims(**changes))
        assert await refusal(verifier.verify_apple(token, "web")) == (
            401,
            f"Invalid Apple ID token: {reason}",
        )

    async def test_a_forged_or_unknown_key_is_refused(self, verifier: IdentityVerifier, keys: Keys) -> None:
        forged = keys.stranger.sign(apple_claims(), kid=keys.current.kid)
        unknown = keys.stranger.sign(apple_claims())
        for token in (forged, unknown):
            assert await refusal(verifier.verify_apple(token, "web")) == (
                401,
                "Invalid Apple ID token: invalid signature",
            )

    @pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
    async def test_a_malformed_token_is_refused(self, verifier: IdentityVerifier, token: str) -> None:
        assert await refusal(verifier.verify_apple(token, "web")) == (
            401,
            "Invalid Apple ID token: jwt malformed",
        )

    async def test_a_token_without_subject_is_refused(self, verifier: IdentityVerifier, keys: Keys) -> None:
        token = keys.current.sign(apple_claims(sub=None))
        assert await refusal(verifier.verify_apple(token, "web")) == (
            401,
            "Invalid Apple ID token: missing user ID",
        )

    @pytest.mark.parametrize(
        ("source", "message"),
        [
            ("web", "Server configuration error: Missing Apple Service ID"),
            ("ios", "Server configuration error: Missing Apple Client ID"),
        ],
    )
    async def test_a_missing_audience_is_a_configuration_error(
        self, google_jwks: FakeJwks, apple_jwks: FakeJwks, keys: Keys, source: str, message: str
    ) -> None:
        unset = apple_settings(apple_jwks, service_id=None, client_id=None)
        async for verifier in verifier_from_container(
            Settings(google=google_settings(google_jwks), apple=unset)
        ):
            assert await refusal(verifier.verify_apple(keys.current.sign(apple_claims()), source)) == (
                500,
                message,
            )


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def clocked(
    http: aiohttp.ClientSession, google_jwks: FakeJwks, apple_jwks: FakeJwks, clock: FakeClock
) -> IdentityVerifier:
    """Keys kept 3600 s, refetched at most every 60 s, on a clock the test moves."""
    return IdentityVerifier(http, google_settings(google_jwks), apple_settings(apple_jwks), clock)


class TestSigningKeys:
    async def test_keys_are_fetched_once_and_shared(
        self, verifier: IdentityVerifier, keys: Keys, google_jwks: FakeJwks, apple_jwks: FakeJwks
    ) -> None:
        google_token, apple_token = keys.current.sign(google_claims()), keys.current.sign(apple_claims())
        await asyncio.gather(*(verifier.verify_google(google_token, "web") for _ in range(10)))
        await asyncio.gather(*(verifier.verify_apple(apple_token, "web") for _ in range(10)))
        assert (google_jwks.fetches, apple_jwks.fetches) == (1, 1)

    async def test_a_rotated_key_is_fetched_when_a_token_names_it(
        self, clocked: IdentityVerifier, keys: Keys, google_jwks: FakeJwks, clock: FakeClock
    ) -> None:
        await clocked.verify_google(keys.current.sign(google_claims()), "web")
        google_jwks.publish(keys.current, keys.rotated)
        clock.now += 61
        identity = await clocked.verify_google(keys.rotated.sign(google_claims()), "web")
        assert identity.provider_user_id == GOOGLE_USER
        assert google_jwks.fetches == 2

    async def test_unknown_keys_refetch_at_most_once_per_interval(
        self, clocked: IdentityVerifier, keys: Keys, google_jwks: FakeJwks, clock: FakeClock
    ) -> None:
        await clocked.verify_google(keys.current.sign(google_claims()), "web")
        unknown = keys.stranger.sign(google_claims())
        fetches = []
        for step in (0, 30, 31, 1, 58, 1):
            clock.now += step
            await refusal(clocked.verify_google(unknown, "web"))
            fetches.append(google_jwks.fetches)
        assert fetches == [1, 1, 2, 2, 2, 3]

    async def test_keys_are_fetched_again_once_the_cache_expires(
        self, clocked: IdentityVerifier, keys: Keys, apple_jwks: FakeJwks, clock: FakeClock
    ) -> None:
        token = keys.current.sign(apple_claims())
        await clocked.verify_apple(token, "web")
        clock.now += 3599
        await clocked.verify_apple(token, "web")
        assert apple_jwks.fetches == 1
        clock.now += 1
        await clocked.verify_apple(token, "web")
        assert apple_jwks.fetches == 2

    async def test_the_last_keys_are_kept_while_the_provider_fails(
        self, clocked: IdentityVerifier, keys: Keys, apple_jwks: FakeJwks, clock: FakeClock
    ) -> None:
        token = keys.current.sign(apple_claims())
        await clocked.verify_apple(token, "web")
        apple_jwks.fail_with(500)
        clock.now += 3600
        assert (await clocked.verify_apple(token, "web")).provider_user_id == APPLE_USER
        assert apple_jwks.fetches == 2


def test_the_settings_read_the_originals_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "GOOGLE_CLIENT_ID_WEB": WEB_CLIENT_ID,
        "GOOGLE_CLIENT_ID_IOS": IOS_CLIENT_ID,
        "APPLE_CLIENT_ID": APPLE_CLIENT_ID,
        "APPLE_SERVICE_ID": APPLE_SERVICE_ID,
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(dev_env=False)
    assert (settings.google.client_id_web, settings.google.client_id_ios) == (WEB_CLIENT_ID, IOS_CLIENT_ID)
    assert (settings.apple.client_id, settings.apple.service_id) == (APPLE_CLIENT_ID, APPLE_SERVICE_ID)
    assert settings.google.jwks_url == "https://www.googleapis.com/oauth2/v3/certs"
    assert settings.apple.jwks_url == "https://appleid.apple.com/auth/keys"
