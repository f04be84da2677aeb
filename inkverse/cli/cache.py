"""`inkverse cache …`: purge the caches and the CDNs by hand, and see what Redis holds."""

import asyncio
from typing import Annotated

import typer

from inkverse.cache.invalidator import CacheInvalidator, PurgeOutcome
from inkverse.cache.purge import CacheType, make_purge
from inkverse.cache.redis import RedisClient, server_stats
from inkverse.cache.store import CacheStore
from inkverse.container import build_container
from inkverse.logging import configure_logging
from inkverse.settings import Settings, load_settings

app = typer.Typer(help="The Redis caches and CDN purging.", no_args_is_help=True)

_TYPES = ", ".join(member.value for member in CacheType)


def _settings() -> Settings:
    """The settings, with logs sent to stderr so that stdout is only the command's answer."""
    settings = load_settings()
    configure_logging(settings.log)
    return settings


@app.command()
def purge(
    cache_type: Annotated[str, typer.Argument(metavar="TYPE", help=f"One of: {_TYPES}.")],
    ids: Annotated[
        list[str] | None, typer.Argument(help="Keys (uuids, user ids, sitemap file names).")
    ] = None,
    short_url: Annotated[
        str | None, typer.Option(help="Short URL of the series or creator, or the username (page URLs).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Issue name (issue page URL).")] = None,
    series_uuid: Annotated[str | None, typer.Option(help="Series of the issue (its issue list).")] = None,
) -> None:
    """Purge Redis (cache-aside entries and GraphQL responses), then Cloudflare and Stellate."""
    request = make_purge(cache_type, ids or (), short_url=short_url, name=name, series_uuid=series_uuid)

    async def run() -> list[PurgeOutcome]:
        container = build_container(_settings(), "cli")
        try:
            return await (await container.get(CacheInvalidator)).run([request])
        finally:
            await container.close()

    outcomes = asyncio.run(run())
    for outcome in outcomes:
        typer.echo(f"{outcome.target}\t{'ok' if outcome.ok else 'FAILED'}\t{outcome.detail}".rstrip())
    if not all(outcome.ok for outcome in outcomes):
        raise typer.Exit(1)


@app.command()
def stats() -> None:
    """Count the cached entries by type and show Redis' own hit and miss counters (of every master of a
    cluster, summed)."""

    async def run() -> tuple[str, dict[str, int], dict[str, object]]:
        container = build_container(_settings(), "cli")
        try:
            store = await container.get(CacheStore)
            counts = await store.count_keys()
            info = await server_stats(await container.get(RedisClient))
            return store.namespace.prefix, dict(counts), info
        finally:
            await container.close()

    prefix, counts, info = asyncio.run(run())
    typer.echo(f"keys under {prefix}*")
    for kind, count in sorted(counts.items()):
        typer.echo(f"  {kind:<24}{count:>10}")
    typer.echo(f"  {'total':<24}{sum(counts.values()):>10}")
    for field in ("keyspace_hits", "keyspace_misses", "used_memory_human", "evicted_keys"):
        typer.echo(f"redis {field}: {info.get(field, '?')}")
    if "cluster_masters" in info:
        typer.echo(f"redis cluster_masters: {info['cluster_masters']} (counters summed)")
