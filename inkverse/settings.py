"""Settings: one immutable section per concern, and the one loader that reads the environment.

Sections are plain pydantic models, so tests build them directly. `load_settings()` is the only place
in the project that reads environment variables (then an optional `.env` file, then the `dev.env` a
running `inkverse dev` wrote into the data folder); each section has its own variable prefix, listed in
`.env.example`.
"""

import enum
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from inkverse.errors import ConfigurationError


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LogFormat(enum.StrEnum):
    CONSOLE = "console"
    JSON = "json"


EXPO_DEFAULT_API_URL = "https://exp.host/--/api/v2"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ServerSettings(_Section):
    """`INKVERSE_*`: the process as a whole."""

    env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path(".inkverse")
    editorial_file: Path | None = None
    documentation_file: Path | None = None
    website_url: str = "https://inkverse.co"

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def refuses_private_hosts(self) -> bool:
        """Outbound fetches of user-supplied URLs refuse non-public addresses everywhere but development."""
        return self.env is not Environment.DEVELOPMENT


class LogSettings(_Section):
    """`LOG_*`."""

    format: LogFormat = LogFormat.CONSOLE
    level: str = "INFO"
    # One `http.request` line per HTTP request (method, path, status, duration, operation, cache).
    access: bool = True


class DatabaseSettings(_Section):
    """`DATABASE_*`. `url` takes `postgresql://user:pass@host:port/db` or a unix socket
    (`postgresql://user@/db?host=/socket/dir`); the driver (asyncpg) is chosen by the code."""

    url: str | None = None
    pool_size: int = Field(default=10, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    pool_timeout_seconds: float = Field(default=30.0, gt=0)
    command_timeout_seconds: float = Field(default=30.0, gt=0)
    pool_pre_ping: bool = False
    """Test each pooled connection with a round trip before use (only worth it behind a proxy that
    drops idle connections without closing them)."""
    echo: bool = False
    read_url: str | None = None
    """Read replicas for the public GraphQL reads: one URL, or several comma-separated."""
    read_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    read_cooldown_seconds: float = Field(default=5.0, ge=0)
    """A replica that failed is left alone this long (its reads go to the primary)."""
    read_max_lag_seconds: float = Field(default=2.0, ge=0)
    """With replicas, every cache purge is repeated after this long, so that an entry refilled from a
    replica that had not yet replayed the write is dropped again."""

    @field_validator("url")
    @classmethod
    def _postgres_scheme(cls, value: str | None) -> str | None:
        if value is not None:
            _check_postgres_url(value)
        return value

    @field_validator("read_url")
    @classmethod
    def _replica_schemes(cls, value: str | None) -> str | None:
        for url in _split_urls(value):
            _check_postgres_url(url)
        return value

    @property
    def read_urls(self) -> tuple[str, ...]:
        return _split_urls(self.read_url)


def _check_postgres_url(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://", "postgresql+")):
        raise ValueError("must start with postgresql:// (or postgres://)")


def _split_urls(value: str | None) -> tuple[str, ...]:
    return tuple(url for part in (value or "").split(",") if (url := part.strip()))


class RedisSettings(_Section):
    """`REDIS_*`. `url` takes `redis://host:port/0`, `rediss://…` or `unix:///path/redis.sock?db=0`, or
    a Redis Cluster: `redis+cluster://host:port` (`rediss+cluster://` for TLS), several seed nodes
    comma-separated (`redis+cluster://h1:6379,h2:6379`)."""

    url: str | None = None
    socket_timeout_seconds: float = Field(default=2.0, gt=0)

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if value.startswith(("redis+cluster://", "rediss+cluster://")):
            nodes, _, database = value.partition("://")[2].partition("?")[0].partition("/")
            if not nodes.rpartition("@")[2].strip(", "):
                raise ValueError("names no cluster node (redis+cluster://host:port)")
            if database not in ("", "0"):
                raise ValueError("a Redis Cluster has only database 0")
            return value
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                "must start with redis://, rediss://, unix://, or redis+cluster:// for a Redis Cluster"
            )
        return value


class CacheSettings(_Section):
    """`CACHE_*`: the Redis cache-aside layer and the GraphQL response cache.

    Keys are `inkverse:v<key_version>:{<type>:<id>}`; bumping `key_version` abandons every entry at once.
    `ttl_seconds` maps a cache-aside type (`comicseries`, `homescreen`, ...) to its TTL; types not
    listed use `default_ttl_seconds`. A Redis error or a call slower than `operation_timeout_seconds`
    falls back to the database, and Redis is then left alone for `failure_cooldown_seconds`."""

    enabled: bool = True
    key_version: int = Field(default=1, ge=1)
    default_ttl_seconds: int = Field(default=3600, ge=1)
    ttl_seconds: dict[str, int] = {
        "comicseries": 86_400,
        "comicseries-short-url": 86_400,
        "comicissue": 86_400,
        "comicissueforseries": 86_400,
        "comicstory": 86_400,
        "creator": 86_400,
        "creator-short-url": 86_400,
        "creatorcontent": 86_400,
        "homescreen": 600,
        "comicissuestats": 300,
        "comicseriesstats": 300,
        "comments": 300,
    }
    negative_ttl_seconds: int = Field(default=60, ge=1)
    response_ttl_seconds: int = Field(default=600, ge=1)
    operation_timeout_seconds: float = Field(default=0.25, gt=0)
    failure_cooldown_seconds: float = Field(default=1.0, ge=0)

    def ttl_for(self, entry_type: str) -> int:
        return self.ttl_seconds.get(entry_type, self.default_ttl_seconds)


class GraphQLSettings(_Section):
    """`GRAPHQL_*`. `cdn_max_age` > 0 lets a CDN cache anonymous, cacheable query responses
    (`Cache-Control: public, max-age=N`); 0 keeps the original's `no-store` on every response.
    The limits bound what one request can cost before depth and complexity are even checked."""

    cdn_max_age: int = Field(default=0, ge=0)
    max_body_bytes: int = Field(default=102_400, ge=1024)
    max_tokens: int = Field(default=10_000, ge=100)
    max_aliases: int = Field(default=30, ge=0)


class AwsSettings(_Section):
    """`AWS_*`: SQS, SES and S3. `endpoint_url` points every service at one emulator; the
    per-service URLs override it. Credentials fall back to the standard AWS chain when unset."""

    region: str = "us-west-2"
    endpoint_url: str | None = None
    endpoint_url_sqs: str | None = None
    endpoint_url_ses: str | None = None
    endpoint_url_s3: str | None = None
    access_key_id: str | None = None
    secret_access_key: SecretStr | None = None

    def endpoint_for(self, service: str) -> str | None:
        specific: str | None = getattr(self, f"endpoint_url_{service}", None)
        return specific or self.endpoint_url


class QueueSettings(_Section):
    """`SQS_*`: queue names are the contract (`INKVERSE_HIGH_PRIORITY`); URLs are looked up by name
    unless `base_url` (the original's `SQS_BASE_URL`, ending in `/`) is given."""

    queue_names: list[str] = ["INKVERSE_HIGH_PRIORITY", "INKVERSE_IMAGES"]
    base_url: str | None = None
    dlq_suffix: str = "_DLQ"
    max_receive_count: int = Field(default=5, ge=1, le=1000)
    visibility_timeout_seconds: int = Field(default=60, ge=0, le=43_200)
    wait_time_seconds: int = Field(default=20, ge=0, le=20)
    overflow_bucket: str = "inkverse-queue-overflow"


class WorkerSettings(_Section):
    """`WORKER_*`."""

    queue: str = "INKVERSE_HIGH_PRIORITY"
    concurrency: int = Field(default=10, ge=1, le=100)
    # Story image sizing has its own queue and slots, so a slow image host never holds up catalogue events.
    image_queue: str = "INKVERSE_IMAGES"
    image_concurrency: int = Field(default=2, ge=1, le=100)
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)
    message_timeout_seconds: float = Field(default=300.0, gt=0)
    outbox_relay_interval_seconds: float = Field(default=10.0, gt=0)
    retry_backoff_base_seconds: int = Field(default=5, ge=0)
    retry_backoff_max_seconds: int = Field(default=900, ge=0, le=43_200)
    # Run the scheduled jobs (`inkverse jobs list`) when due; `inkverse dev` turns it on.
    run_jobs: bool = False
    jobs_poll_interval_seconds: float = Field(default=30.0, gt=0)


class TaddySettings(_Section):
    """`TADDY_*`."""

    api_url: str = "https://api.taddy.org"
    user_id: str | None = None
    api_key: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    webhook_max_body_bytes: int = Field(default=1_048_576, ge=1024)
    image_sizing: bool = True
    image_timeout_seconds: float = Field(default=5.0, gt=0)
    image_concurrency: int = Field(default=4, ge=1, le=32)
    image_max_bytes: int = Field(default=262_144, ge=1024)
    image_allowed_networks: list[str] = []
    # Taddy's OAuth, creator-claim and Patreon endpoints (`<auth_url>/auth/...`), as a hosting provider.
    auth_url: str = "https://taddy.org"
    client_id: str | None = None
    client_secret: SecretStr | None = None
    # PEM (newlines may be written `\n`) of the key Taddy signs claim decisions and OAuth refresh
    # tokens with; unset, claim callbacks and hosting-provider connections are refused.
    public_key: str | None = None
    # How long one GraphQL field may wait for Taddy's OAuth and Patreon endpoints (retries included).
    auth_timeout_seconds: float = Field(default=15.0, gt=0)


class BlueskySettings(_Section):
    """`BLUESKY_*`: the account the server reads Bluesky profiles and follows with (AT Protocol XRPC)."""

    api_url: str = "https://bsky.social/xrpc"
    identifier: str = "dmathewwws.com"
    app_password: SecretStr | None = None
    # Follows read for one user at most (100 per call): bounds the time one request can take.
    max_follows: int = Field(default=10_000, ge=100)
    # How long one GraphQL field may wait for Bluesky (every call and retry it makes, all pages).
    timeout_seconds: float = Field(default=20.0, gt=0)


class SearchBackend(enum.StrEnum):
    AUTO = "auto"
    LOCAL = "local"
    TADDY = "taddy"


class SearchSettings(_Section):
    """`SEARCH_*`: `auto` asks Taddy when it is configured and answers from our own catalogue when it is
    not, fails, or takes longer than `taddy_timeout_seconds`; `local` never calls Taddy; `taddy` is the
    original's behaviour (Taddy only, `null` when it fails)."""

    backend: SearchBackend = SearchBackend.AUTO
    taddy_timeout_seconds: float = Field(default=2.0, gt=0)


class NotionSettings(_Section):
    """`NOTION_*`: the Notion API `getDocumentation` reads published pages from."""

    api_url: str = "https://www.notion.so/api/v3"
    timeout_seconds: float = Field(default=10.0, gt=0)


class CloudflareSettings(_Section):
    """`CLOUDFLARE_*`: zone purging and R2 storage."""

    api_url: str = "https://api.cloudflare.com/client/v4"
    api_token: SecretStr | None = None
    zone_id: str | None = None
    purge_batch_size: int = Field(default=30, ge=1, le=500)
    account_id: str | None = None
    access_key: str | None = None
    secret_key: SecretStr | None = None
    r2_buckets: list[str] = ["ink0"]
    r2_public_urls: dict[str, str] = {"ink0": "https://ink0.inkverse.co"}


class SitemapSettings(_Section):
    """`SITEMAP_*`: the `sitemap` job."""

    # URLs per sitemap file (the protocol's limit); a longer list is split into -1, -2, ... files.
    max_urls: int = Field(default=50_000, ge=1, le=50_000)


class StellateSettings(_Section):
    """`STELLATE_*`."""

    purge_url: str = "https://admin.stellate.co/inkverse1"
    api_token: SecretStr | None = None
    purge_batch_size: int = Field(default=100, ge=1)


class SlackSettings(_Section):
    """`SLACK_*`: `webhooks` maps a channel name to an incoming-webhook URL."""

    webhooks: dict[str, str] = {}


class EmailSettings(_Section):
    """`EMAIL_*`."""

    sender: str = "Inkverse Webtoons <info@inkverse.co>"
    octopus_api_url: str = "https://api.emailoctopus.com"
    octopus_api_key: SecretStr | None = None
    lists: dict[str, str] = {}


class ExpoSettings(_Section):
    """`EXPO_*`: Expo's push service. With `api_url` unset, development writes pushes to
    `$INKVERSE_DATA_DIR/push/` instead of sending them; elsewhere it means Expo's own URL."""

    api_url: str | None = None
    push_access_token: SecretStr | None = None

    @property
    def endpoint(self) -> str:
        return (self.api_url or EXPO_DEFAULT_API_URL).rstrip("/")


class GoogleSettings(_Section):
    """`GOOGLE_*`: Sign in with Google. An ID token's audience is `client_id_web` (website and Android
    app) or `client_id_ios`; its signing keys come from `jwks_url`, kept `jwks_cache_seconds`, and
    fetched again at most every `jwks_refetch_seconds` when a token names a key we do not have."""

    client_id_web: str | None = None
    client_id_ios: str | None = None
    jwks_url: str = "https://www.googleapis.com/oauth2/v3/certs"
    jwks_cache_seconds: int = Field(default=3600, ge=0)
    jwks_refetch_seconds: int = Field(default=60, ge=0)
    jwks_timeout_seconds: float = Field(default=5.0, gt=0)


class AppleSettings(_Section):
    """`APPLE_*`: Sign in with Apple. An ID token's audience is `service_id` (website) or `client_id`
    (the app); keys as for Google."""

    client_id: str | None = None
    service_id: str | None = None
    jwks_url: str = "https://appleid.apple.com/auth/keys"
    jwks_cache_seconds: int = Field(default=3600, ge=0)
    jwks_refetch_seconds: int = Field(default=60, ge=0)
    jwks_timeout_seconds: float = Field(default=5.0, gt=0)


class JwtSettings(_Section):
    """`PRIVATE_JWT`, `PUBLIC_JWT` (no prefix, the original's names): the RS256 key pair of the session
    tokens, as PEM; newlines may be written as `\\n`, as the original's deployments store them.
    Production refuses to start without them; elsewhere a missing pair is generated for the process
    (`inkverse dev` keeps one in its data folder)."""

    private_jwt: SecretStr | None = None
    public_jwt: str | None = None


class AuthSettings(_Section):
    """`AUTH_*`: sign-in limits and the proxies whose client-address headers are believed.

    `trusted_proxies` lists addresses or networks (JSON list) of the CDN and load balancer: only a peer
    inside them may name the client with `CF-Connecting-IP` or `X-Forwarded-For`. The limits count per
    `rate_limit_window_seconds` and fail open when Redis is unavailable."""

    trusted_proxies: list[str] = []
    login_emails_per_address: int = Field(default=5, ge=1)
    login_emails_per_ip: int = Field(default=20, ge=1)
    token_exchanges_per_ip: int = Field(default=20, ge=1)
    rate_limit_window_seconds: int = Field(default=900, ge=1)


class CannySettings(_Section):
    """`CANNY_*`: single sign-on into the Canny feedback board (`cannySso`)."""

    sso_private_key: SecretStr | None = None
    company_id: str | None = None


class Settings(_Section):
    server: ServerSettings = ServerSettings()
    log: LogSettings = LogSettings()
    database: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    cache: CacheSettings = CacheSettings()
    graphql: GraphQLSettings = GraphQLSettings()
    aws: AwsSettings = AwsSettings()
    queues: QueueSettings = QueueSettings()
    worker: WorkerSettings = WorkerSettings()
    taddy: TaddySettings = TaddySettings()
    bluesky: BlueskySettings = BlueskySettings()
    search: SearchSettings = SearchSettings()
    notion: NotionSettings = NotionSettings()
    cloudflare: CloudflareSettings = CloudflareSettings()
    sitemap: SitemapSettings = SitemapSettings()
    stellate: StellateSettings = StellateSettings()
    slack: SlackSettings = SlackSettings()
    email: EmailSettings = EmailSettings()
    expo: ExpoSettings = ExpoSettings()
    google: GoogleSettings = GoogleSettings()
    apple: AppleSettings = AppleSettings()
    jwt: JwtSettings = JwtSettings()
    auth: AuthSettings = AuthSettings()
    canny: CannySettings = CannySettings()


SECTION_PREFIXES: dict[str, str] = {
    "server": "INKVERSE_",
    "log": "LOG_",
    "database": "DATABASE_",
    "redis": "REDIS_",
    "cache": "CACHE_",
    "graphql": "GRAPHQL_",
    "aws": "AWS_",
    "queues": "SQS_",
    "worker": "WORKER_",
    "taddy": "TADDY_",
    "bluesky": "BLUESKY_",
    "search": "SEARCH_",
    "notion": "NOTION_",
    "cloudflare": "CLOUDFLARE_",
    "sitemap": "SITEMAP_",
    "stellate": "STELLATE_",
    "slack": "SLACK_",
    "email": "EMAIL_",
    "expo": "EXPO_",
    "google": "GOOGLE_",
    "apple": "APPLE_",
    "jwt": "",
    "auth": "AUTH_",
    "canny": "CANNY_",
}

_SectionT = TypeVar("_SectionT", bound=_Section)


def env_variable_names() -> list[str]:
    """Every environment variable the loader reads, in section order."""
    names: list[str] = []
    for section, prefix in SECTION_PREFIXES.items():
        model: type[_Section] = Settings.model_fields[section].annotation  # type: ignore[assignment]
        names.extend(f"{prefix}{field}".upper() for field in model.model_fields)
    return names


DEV_ENV_FILE_NAME = "dev.env"
_FIELD_IN_SETTINGS_ERROR = re.compile(r'field "(\w+)"')


def dev_env_file(data_dir: Path) -> Path:
    """The file `inkverse dev` writes its service URLs and credentials to, under INKVERSE_DATA_DIR."""
    return data_dir / DEV_ENV_FILE_NAME


def _load_section(model: type[_SectionT], prefix: str, env_files: Sequence[Path]) -> _SectionT:
    """`env_files` in priority order; each file is its own source, so an empty value in one (unset, by
    `env_ignore_empty`) lets a later file's value through."""
    config = SettingsConfigDict(env_prefix=prefix, env_ignore_empty=True, extra="ignore", frozen=True)

    def sources(
        cls: type[BaseSettings],
        /,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        **_: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = (DotEnvSettingsSource(settings_cls, env_file=file) for file in env_files)
        return (init_settings, env_settings, *files)

    reader: type[BaseSettings] = type(
        f"{model.__name__}Env",
        (BaseSettings, model),
        {"model_config": config, "settings_customise_sources": classmethod(sources)},
    )
    try:
        # Only what the environment and files set, so `model_fields_set` tells set values from defaults.
        values: dict[str, Any] = reader().model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise ConfigurationError(_describe(exc, prefix)) from None
    except SettingsError as exc:
        raise ConfigurationError(_describe_unparsable(exc, prefix)) from None
    return model.model_validate(values)


def _describe(exc: ValidationError, prefix: str) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    return f"{prefix}{field}".upper() + f": {error['msg']}"


def _describe_unparsable(exc: SettingsError, prefix: str) -> str:
    """pydantic-settings names only the field of a value it could not decode (JSON for lists and maps)."""
    field = _FIELD_IN_SETTINGS_ERROR.search(str(exc))
    reason = f"not valid JSON ({exc.__cause__})" if exc.__cause__ is not None else str(exc)
    return f"{prefix}{field.group(1) if field else ''}".upper() + f": {reason}"


def load_settings(env_file: Path | None = Path(".env"), *, dev_env: bool = True) -> Settings:
    """Read every section from the environment, then `env_file` when it exists, then (with `dev_env`)
    the `dev.env` of INKVERSE_DATA_DIR when it exists: the first that sets a variable wins."""
    files = [env_file] if env_file is not None and env_file.is_file() else []
    if dev_env:
        written = dev_env_file(_load_section(ServerSettings, SECTION_PREFIXES["server"], files).data_dir)
        files += [written] if written.is_file() else []
    sections: dict[str, Any] = {}
    for section, prefix in SECTION_PREFIXES.items():
        model: type[_Section] = Settings.model_fields[section].annotation  # type: ignore[assignment]
        sections[section] = _load_section(model, prefix, files)
    return Settings(**sections)
