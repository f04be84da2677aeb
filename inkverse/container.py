"""The one dependency-injection container, shared by the API, the worker, the CLI and the tests.

APP scope holds the process-wide resources, opened once and closed when the container closes.
REQUEST scope is one GraphQL request, one webhook delivery or one queue message. Tests pass extra
providers to `build_container`, which override the defaults; nothing is patched.
"""

from collections.abc import AsyncIterator
from typing import NewType

import aioboto3
import aiohttp
from aiobotocore.config import AioConfig
from dishka import AsyncContainer, Provider, Scope, from_context, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from types_aiobotocore_s3 import S3Client
from types_aiobotocore_sqs import SQSClient

from inkverse.api.client_ip import ClientIpResolver
from inkverse.api.persisted_queries import PersistedDocuments
from inkverse.bluesky.client import BlueskyClient
from inkverse.cache.aside import CacheAside
from inkverse.cache.coalescing import CoalescingPurger
from inkverse.cache.invalidator import CacheInvalidator
from inkverse.cache.purge import CachePurger, CdnPurger
from inkverse.cache.rate_limit import RateLimiter
from inkverse.cache.redis import RedisClient, learn_topology, make_redis
from inkverse.cache.replica_lag import LaggingReplicaPurger
from inkverse.cache.response_store import ResponseStore
from inkverse.cache.stellate import make_stellate_purger
from inkverse.cache.store import CacheStore
from inkverse.cloudflare.purge import make_cloudflare_purger
from inkverse.cloudflare.storage import ObjectStore, open_object_store
from inkverse.comics.search import CatalogSearch
from inkverse.database.engine import ReadEngine, make_engine, make_read_engine, make_sessionmaker
from inkverse.database.reads import RequestReads
from inkverse.database.replicas import PoolGauges, ReadReplicas, server_name
from inkverse.lists.editorial import EditorialData, load_editorial
from inkverse.messaging.email import EmailSender, open_email_sender
from inkverse.messaging.octopus import MailingList
from inkverse.messaging.push import ExpoPushClient
from inkverse.messaging.slack import SlackNotifier, open_slack_notifier
from inkverse.metrics import Metrics
from inkverse.notifications.delivery import NotificationDelivery
from inkverse.notifications.digest import DigestSender
from inkverse.notifications.fanout import NewEpisodeFanOut
from inkverse.notifications.unsubscribe import KEY_PURPOSE, UnsubscribeTokens
from inkverse.notion.client import NotionClient
from inkverse.notion.pages import DocumentationPages, load_documentation_pages
from inkverse.queues.client import QueueClient
from inkverse.queues.outbox import OutboxRelay
from inkverse.queues.producer import OverflowStore, QueueProducer
from inkverse.settings import (
    AppleSettings,
    AuthSettings,
    AwsSettings,
    BlueskySettings,
    CacheSettings,
    CannySettings,
    CloudflareSettings,
    DatabaseSettings,
    EmailSettings,
    ExpoSettings,
    GoogleSettings,
    GraphQLSettings,
    JwtSettings,
    NotionSettings,
    QueueSettings,
    RedisSettings,
    SearchSettings,
    ServerSettings,
    Settings,
    SlackSettings,
    StellateSettings,
    TaddySettings,
    WorkerSettings,
)
from inkverse.social.comments import CommentActions
from inkverse.taddy.client import TaddyClient
from inkverse.taddy.images import ImageSizer, make_image_session, parse_networks
from inkverse.taddy.oauth import TaddyAuthClient
from inkverse.taddy.processing import StoryImageMeasurer, WebhookProcessor
from inkverse.users.claims import CreatorClaims
from inkverse.users.deletion import AccountDeletion
from inkverse.users.hosting_providers import HostingProviderConnector, HostingProviderKeys
from inkverse.users.identity import IdentityVerifier
from inkverse.users.tokens import TokenService, configured_key_pair

ProcessName = NewType("ProcessName", str)
"""Which process this is (`api`, `worker`, `cli`): shown as the Postgres application name."""

HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)


class SettingsProvider(Provider):
    scope = Scope.APP
    settings = from_context(provides=Settings)
    process = from_context(provides=ProcessName)

    @provide
    def server(self, settings: Settings) -> ServerSettings:
        return settings.server

    @provide
    def database(self, settings: Settings) -> DatabaseSettings:
        return settings.database

    @provide
    def redis(self, settings: Settings) -> RedisSettings:
        return settings.redis

    @provide
    def cache(self, settings: Settings) -> CacheSettings:
        return settings.cache

    @provide
    def graphql(self, settings: Settings) -> GraphQLSettings:
        return settings.graphql

    @provide
    def aws(self, settings: Settings) -> AwsSettings:
        return settings.aws

    @provide
    def queues(self, settings: Settings) -> QueueSettings:
        return settings.queues

    @provide
    def worker(self, settings: Settings) -> WorkerSettings:
        return settings.worker

    @provide
    def taddy(self, settings: Settings) -> TaddySettings:
        return settings.taddy

    @provide
    def bluesky(self, settings: Settings) -> BlueskySettings:
        return settings.bluesky

    @provide
    def search(self, settings: Settings) -> SearchSettings:
        return settings.search

    @provide
    def notion(self, settings: Settings) -> NotionSettings:
        return settings.notion

    @provide
    def cloudflare(self, settings: Settings) -> CloudflareSettings:
        return settings.cloudflare

    @provide
    def stellate(self, settings: Settings) -> StellateSettings:
        return settings.stellate

    @provide
    def slack(self, settings: Settings) -> SlackSettings:
        return settings.slack

    @provide
    def email(self, settings: Settings) -> EmailSettings:
        return settings.email

    @provide
    def expo(self, settings: Settings) -> ExpoSettings:
        return settings.expo

    @provide
    def jwt(self, settings: Settings) -> JwtSettings:
        return settings.jwt

    @provide
    def auth(self, settings: Settings) -> AuthSettings:
        return settings.auth

    @provide
    def canny(self, settings: Settings) -> CannySettings:
        return settings.canny

    @provide
    def google(self, settings: Settings) -> GoogleSettings:
        return settings.google

    @provide
    def apple(self, settings: Settings) -> AppleSettings:
        return settings.apple


class InfrastructureProvider(Provider):
    scope = Scope.APP

    @provide
    def metrics(self) -> Metrics:
        return Metrics()

    @provide
    async def engine(self, settings: DatabaseSettings, process: ProcessName) -> AsyncIterator[AsyncEngine]:
        engine = make_engine(settings, application_name=f"inkverse-{process}")
        yield engine
        await engine.dispose()

    @provide
    def sessionmaker(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return make_sessionmaker(engine)

    @provide
    def read_engine(self, engine: AsyncEngine) -> ReadEngine:
        return make_read_engine(engine)

    @provide
    async def read_replicas(
        self, settings: DatabaseSettings, process: ProcessName, primary: ReadEngine, metrics: Metrics
    ) -> AsyncIterator[ReadReplicas]:
        """`DATABASE_READ_URL`'s replicas (none when unset); /metrics shows their pools and the primary's."""
        replicas = ReadReplicas.from_settings(settings, primary, f"inkverse-{process}-replica")
        gauges = PoolGauges(server_name(str(settings.url)), replicas)
        metrics.registry.register(gauges)
        yield replicas
        metrics.registry.unregister(gauges)
        await replicas.dispose()

    @provide(scope=Scope.REQUEST)
    async def request_reads(self, replicas: ReadReplicas) -> AsyncIterator[RequestReads]:
        reads = RequestReads(replicas.primary, replicas)
        yield reads
        await reads.close()

    @provide
    async def redis(self, settings: RedisSettings, process: ProcessName) -> AsyncIterator[RedisClient]:
        client = make_redis(settings, client_name=f"inkverse-{process}")
        await learn_topology(client, settings.socket_timeout_seconds)
        yield client
        await client.aclose()

    @provide
    def aws_session(self, settings: AwsSettings) -> aioboto3.Session:
        secret = settings.secret_access_key.get_secret_value() if settings.secret_access_key else None
        return aioboto3.Session(
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=secret,
            region_name=settings.region,
        )

    @provide
    async def sqs(
        self, session: aioboto3.Session, aws: AwsSettings, queues: QueueSettings
    ) -> AsyncIterator[SQSClient]:
        # The read timeout must outlast a long poll, or every empty receive would time out.
        config = AioConfig(
            read_timeout=queues.wait_time_seconds + 10,
            connect_timeout=5,
            retries={"max_attempts": 3, "mode": "standard"},
        )
        async with session.client("sqs", endpoint_url=aws.endpoint_for("sqs"), config=config) as client:
            yield client

    @provide
    def editorial(self, server: ServerSettings) -> EditorialData:
        return load_editorial(server.editorial_file)

    @provide
    def documentation_pages(self, server: ServerSettings) -> DocumentationPages:
        return load_documentation_pages(server.documentation_file)

    @provide
    def notion_client(self, http: aiohttp.ClientSession, settings: NotionSettings) -> NotionClient:
        return NotionClient(http, settings)

    @provide
    def identity_verifier(
        self, http: aiohttp.ClientSession, google: GoogleSettings, apple: AppleSettings
    ) -> IdentityVerifier:
        """Process-wide, so the providers' signing keys are fetched once and shared."""
        return IdentityVerifier(http, google, apple)

    @provide
    def taddy_client(self, http: aiohttp.ClientSession, settings: TaddySettings) -> TaddyClient:
        return TaddyClient(http, settings)

    @provide
    def taddy_auth_client(self, http: aiohttp.ClientSession, settings: TaddySettings) -> TaddyAuthClient:
        return TaddyAuthClient(http, settings)

    @provide
    def bluesky_client(self, http: aiohttp.ClientSession, settings: BlueskySettings) -> BlueskyClient:
        """Process-wide, so the whole process shares one Bluesky login."""
        return BlueskyClient(http, settings)

    @provide
    def catalog_search(
        self, taddy: TaddyClient, settings: SearchSettings, taddy_settings: TaddySettings
    ) -> CatalogSearch:
        return CatalogSearch(taddy, settings, taddy_settings)

    @provide
    def queue_client(self, sqs: SQSClient, settings: QueueSettings) -> QueueClient:
        return QueueClient(sqs, settings)

    @provide
    async def s3(self, session: aioboto3.Session, aws: AwsSettings) -> AsyncIterator[S3Client]:
        async with session.client("s3", endpoint_url=aws.endpoint_for("s3")) as client:
            yield client

    @provide
    def overflow_store(self, s3: S3Client, settings: QueueSettings) -> OverflowStore:
        return OverflowStore(s3, settings.overflow_bucket)

    @provide
    def queue_producer(self, client: QueueClient, overflow: OverflowStore) -> QueueProducer:
        return QueueProducer(client, overflow)

    @provide
    async def http(self) -> AsyncIterator[aiohttp.ClientSession]:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            yield session


class PipelineProvider(Provider):
    """Taddy webhook processing: the processor, story image sizing, cache purging, the outbox."""

    scope = Scope.APP

    @provide
    async def image_sizer(self, server: ServerSettings, taddy: TaddySettings) -> AsyncIterator[ImageSizer]:
        allowed = parse_networks(taddy.image_allowed_networks)
        async with make_image_session(public_only=server.refuses_private_hosts, allowed=allowed) as http:
            yield ImageSizer(
                http,
                public_only=server.refuses_private_hosts,
                allowed_networks=allowed,
                concurrency=taddy.image_concurrency,
                timeout_seconds=taddy.image_timeout_seconds,
                max_bytes=taddy.image_max_bytes,
            )

    @provide
    async def cache_purger(
        self, invalidator: CacheInvalidator, database: DatabaseSettings
    ) -> AsyncIterator[CachePurger]:
        """Concurrent purges share one call (see `inkverse.cache.coalescing`); with read replicas each
        purge is repeated once they have caught up (`inkverse.cache.replica_lag`)."""
        purger = CoalescingPurger(invalidator)
        if not (database.read_urls and database.read_max_lag_seconds):
            yield purger
            await purger.wait_idle()
            return
        repeating = LaggingReplicaPurger(purger, database.read_max_lag_seconds)
        yield repeating
        await repeating.wait_idle()
        await purger.wait_idle()

    @provide
    async def outbox_relay(
        self, sessionmaker: async_sessionmaker[AsyncSession], producer: QueueProducer, metrics: Metrics
    ) -> AsyncIterator[OutboxRelay]:
        relay = OutboxRelay(sessionmaker, producer, metrics)
        yield relay
        await relay.wait_idle()  # what `relay_soon` was given is sent before SQS and the database close

    @provide
    def webhook_processor(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        purger: CachePurger,
        outbox: OutboxRelay,
        worker: WorkerSettings,
        taddy: TaddySettings,
    ) -> WebhookProcessor:
        image_queue = worker.image_queue if taddy.image_sizing else None
        return WebhookProcessor(
            sessionmaker, purger, outbox, push_queue=worker.queue, image_queue=image_queue
        )

    @provide
    def story_image_measurer(
        self, sessionmaker: async_sessionmaker[AsyncSession], sizer: ImageSizer, purger: CachePurger
    ) -> StoryImageMeasurer:
        return StoryImageMeasurer(sessionmaker, sizer, purger)


class CacheProvider(Provider):
    """Cache-aside, the GraphQL response cache's store, and the purger of both and of the CDNs."""

    scope = Scope.APP

    @provide
    def cache_store(self, redis: RedisClient, settings: CacheSettings, metrics: Metrics) -> CacheStore:
        return CacheStore.from_settings(redis, settings, metrics)

    @provide
    def cache_aside(self, store: CacheStore, settings: CacheSettings, metrics: Metrics) -> CacheAside:
        return CacheAside(store, settings, metrics)

    @provide
    def response_store(
        self, store: CacheStore, cache: CacheSettings, graphql: GraphQLSettings, metrics: Metrics
    ) -> ResponseStore:
        return ResponseStore(store, cache, graphql, metrics)

    @provide
    def persisted_documents(
        self, redis: RedisClient, cache: CacheSettings, metrics: Metrics
    ) -> PersistedDocuments:
        return PersistedDocuments.from_settings(redis, cache, metrics)

    @provide
    def cdn_purgers(
        self,
        http: aiohttp.ClientSession,
        cloudflare: CloudflareSettings,
        stellate: StellateSettings,
        server: ServerSettings,
    ) -> list[CdnPurger]:
        return [
            make_cloudflare_purger(http, cloudflare, server.website_url),
            make_stellate_purger(http, stellate),
        ]

    @provide
    def cache_invalidator(
        self, store: CacheStore, cdns: list[CdnPurger], metrics: Metrics
    ) -> CacheInvalidator:
        return CacheInvalidator(store, cdns, metrics)


class MessagingProvider(Provider):
    """E-mail (SES v2), the mailing list (EmailOctopus), Expo push, Slack, and R2 object storage."""

    scope = Scope.APP

    @provide
    async def email_sender(
        self, session: aioboto3.Session, aws: AwsSettings, email: EmailSettings, server: ServerSettings
    ) -> AsyncIterator[EmailSender]:
        async with open_email_sender(session, aws, email, server) as sender:
            yield sender

    @provide
    def mailing_list(self, http: aiohttp.ClientSession, email: EmailSettings) -> MailingList:
        return MailingList(http, email)

    @provide
    def push(self, http: aiohttp.ClientSession, expo: ExpoSettings, server: ServerSettings) -> ExpoPushClient:
        return ExpoPushClient(http, expo, server)

    @provide
    async def slack(self, settings: SlackSettings, server: ServerSettings) -> AsyncIterator[SlackNotifier]:
        async with open_slack_notifier(settings, server.website_url) as notifier:
            yield notifier

    @provide
    async def object_store(
        self, session: aioboto3.Session, aws: AwsSettings, cloudflare: CloudflareSettings
    ) -> AsyncIterator[ObjectStore]:
        async with open_object_store(session, aws, cloudflare) as store:
            yield store


class AuthProvider(Provider):
    """Session tokens, sign-in rate limits and the client address behind trusted proxies."""

    scope = Scope.APP

    @provide
    def token_service(self, jwt: JwtSettings, server: ServerSettings) -> TokenService:
        return TokenService(configured_key_pair(jwt, production=server.is_production))

    @provide
    def rate_limiter(self, redis: RedisClient, auth: AuthSettings, cache: CacheSettings) -> RateLimiter:
        window, timeout = auth.rate_limit_window_seconds, cache.operation_timeout_seconds
        return RateLimiter(redis, window_seconds=window, timeout_seconds=timeout)

    @provide
    def client_ip_resolver(self, auth: AuthSettings) -> ClientIpResolver:
        return ClientIpResolver(auth.trusted_proxies)

    @provide
    def account_deletion(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        purger: CachePurger,
        mailing_list: MailingList,
    ) -> AccountDeletion:
        return AccountDeletion(sessionmaker, purger, mailing_list)

    @provide
    def hosting_provider_keys(self, taddy: TaddySettings) -> HostingProviderKeys:
        return HostingProviderKeys(taddy)

    @provide
    def hosting_provider_connector(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        taddy: TaddyAuthClient,
        keys: HostingProviderKeys,
    ) -> HostingProviderConnector:
        return HostingProviderConnector(sessionmaker, taddy, keys)

    @provide
    def creator_claims(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        taddy: TaddyAuthClient,
        keys: HostingProviderKeys,
        purger: CachePurger,
        slack: SlackNotifier,
        server: ServerSettings,
    ) -> CreatorClaims:
        return CreatorClaims(
            sessionmaker=sessionmaker,
            taddy=taddy,
            keys=keys,
            purger=purger,
            slack=slack,
            website_url=server.website_url,
        )

    @provide
    def comment_actions(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        purger: CachePurger,
        outbox: OutboxRelay,
        slack: SlackNotifier,
        worker: WorkerSettings,
    ) -> CommentActions:
        return CommentActions(
            sessionmaker=sessionmaker,
            purger=purger,
            outbox=outbox,
            slack=slack,
            notification_queue=worker.queue,
        )


class NotificationProvider(Provider):
    """Push and e-mail delivery of notifications, the new-episode fan-out, unsubscribe links."""

    scope = Scope.APP

    @provide
    def unsubscribe_tokens(self, tokens: TokenService) -> UnsubscribeTokens:
        return UnsubscribeTokens(tokens.derive_key(KEY_PURPOSE))

    @provide
    def notification_delivery(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        push: ExpoPushClient,
        email: EmailSender,
        unsubscribe: UnsubscribeTokens,
    ) -> NotificationDelivery:
        return NotificationDelivery(sessionmaker, push, email, unsubscribe)

    @provide
    def new_episode_fan_out(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        outbox: OutboxRelay,
        purger: CachePurger,
        worker: WorkerSettings,
    ) -> NewEpisodeFanOut:
        return NewEpisodeFanOut(sessionmaker, outbox, purger, worker.queue)

    @provide
    def creator_digest_sender(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        push: ExpoPushClient,
        email: EmailSender,
        unsubscribe: UnsubscribeTokens,
    ) -> DigestSender:
        return DigestSender(sessionmaker, push, email, unsubscribe)


def default_providers() -> tuple[Provider, ...]:
    return (
        SettingsProvider(),
        InfrastructureProvider(),
        PipelineProvider(),
        CacheProvider(),
        MessagingProvider(),
        AuthProvider(),
        NotificationProvider(),
    )


def build_container(settings: Settings, process: str, *overrides: Provider) -> AsyncContainer:
    """Build the container; providers in `overrides` replace the defaults they overlap."""
    return make_async_container(
        *default_providers(),
        *overrides,
        context={Settings: settings, ProcessName: ProcessName(process)},
    )
