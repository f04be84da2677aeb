"""Prometheus metrics, kept in a registry owned by the container (no process-global registry)."""

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "inkverse_http_requests",
            "HTTP requests served, by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "inkverse_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["route"],
            registry=self.registry,
        )
        self.messages = Counter(
            "inkverse_queue_messages",
            "Queue messages handled, by queue, type and outcome.",
            ["queue", "type", "outcome"],
            registry=self.registry,
        )
        self.cache_lookups = Counter(
            "inkverse_cache_lookups",
            "Cache reads by layer (aside, response), entry type and result (hit, miss, error, bypass).",
            ["layer", "type", "result"],
            registry=self.registry,
        )
        self.cache_errors = Counter(
            "inkverse_cache_errors",
            "Redis failures and timeouts met by the caches (the read fell back to the database).",
            ["layer", "operation"],
            registry=self.registry,
        )
        self.outbox_messages = Counter(
            "inkverse_outbox_messages",
            "Outbox relay sends by outcome (sent, retry, failed: attempts spent, the row is kept).",
            ["outcome"],
            registry=self.registry,
        )
        self.cache_purges = Counter(
            "inkverse_cache_purges",
            "Purge calls by target (redis, cloudflare, stellate) and outcome (ok, failed).",
            ["target", "outcome"],
            registry=self.registry,
        )
