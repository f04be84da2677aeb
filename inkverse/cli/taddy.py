"""`inkverse taddy …`: imports from the Taddy API and story-image maintenance."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from dishka import AsyncContainer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.comics.repository import StoryImageRepository
from inkverse.container import build_container
from inkverse.settings import load_settings
from inkverse.taddy.client import TaddyClient
from inkverse.taddy.images import ImageSizer
from inkverse.taddy.imports import ImportReport, TaddyImporter
from inkverse.taddy.processing import WebhookProcessor

app = typer.Typer(help="Taddy: imports and story images.", no_args_is_help=True)
import_app = typer.Typer(
    help="Import one series or creator, with everything hanging off it.", no_args_is_help=True
)
images_app = typer.Typer(help="Story image sizes.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(images_app, name="images")

T = TypeVar("T")
BACKFILL_BATCH = 200


def run_with_container(work: Callable[[AsyncContainer, Progress], Awaitable[T]]) -> T:
    async def run() -> T:
        container = build_container(load_settings(), "cli")
        try:
            with _progress() as progress:
                return await work(container, progress)
        finally:
            await container.close()

    return asyncio.run(run())


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True)


async def _importer(container: AsyncContainer, progress: Progress) -> TaddyImporter:
    task = progress.add_task("importing", total=None)
    client = await container.get(TaddyClient)
    processor = await container.get(WebhookProcessor)
    return TaddyImporter(client, processor, lambda what: progress.update(task, description=what, advance=1))


def _summary(report: ImportReport) -> None:
    counts = ", ".join(f"{count} {kind.value}" for kind, count in report.imported.items() if count)
    typer.echo(f"imported {report.total} object(s){': ' + counts if counts else ''}")
    if report.missing:
        typer.echo(f"not found on Taddy: {', '.join(report.missing)}", err=True)


@import_app.command("comicseries")
def import_comicseries(uuid: str) -> None:
    """A series, its issues and stories, its creators and their link to it."""

    async def work(container: AsyncContainer, progress: Progress) -> ImportReport:
        return await (await _importer(container, progress)).import_series(uuid)

    _summary(run_with_container(work))


@import_app.command("creator")
def import_creator(uuid: str) -> None:
    """A creator and all of its content links."""

    async def work(container: AsyncContainer, progress: Progress) -> ImportReport:
        return await (await _importer(container, progress)).import_creator(uuid)

    _summary(run_with_container(work))


@app.command("import-all")
def import_all(
    file: Annotated[Path, typer.Argument(help="Taddy's bulk list: one JSON object with a `uuid` per line.")],
) -> None:
    """Import every series of the file. Resumable: finished uuids are recorded in <file>.done and skipped."""
    done_file = file.with_name(file.name + ".done")
    done = set(done_file.read_text().split()) if done_file.exists() else set()
    uuids = [uuid for uuid in _uuids_in(file) if uuid not in done]

    async def work(container: AsyncContainer, progress: Progress) -> ImportReport:
        importer = await _importer(container, progress)
        report = ImportReport()
        with done_file.open("a") as record:
            for uuid in uuids:
                await importer.import_series(uuid, report)
                record.write(uuid + "\n")
                record.flush()
        return report

    typer.echo(f"{len(uuids)} series to import ({len(done)} already done)")
    _summary(run_with_container(work))


def _uuids_in(file: Path) -> list[str]:
    uuids = []
    for number, line in enumerate(file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            uuids.append(str(json.loads(line)["uuid"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise typer.BadParameter(f"line {number} is not a JSON object with a `uuid`") from None
    return uuids


@images_app.command("backfill")
def backfill() -> None:
    """Measure every story whose width and height are still unknown."""

    async def work(container: AsyncContainer, progress: Progress) -> tuple[int, int]:
        sessionmaker = await container.get(async_sessionmaker[AsyncSession])
        sizer = await container.get(ImageSizer)
        task = progress.add_task("measuring stories", total=None)
        after, measured, seen = 0, 0, 0
        while True:
            async with sessionmaker() as session:
                batch = await StoryImageRepository(session).unsized(after, BACKFILL_BATCH)
            if not batch:
                return measured, seen
            sizes = await sizer.measure_all({uuid: url for _, uuid, url in batch if url})
            async with sessionmaker() as session, session.begin():
                await StoryImageRepository(session).set_sizes(sizes)
            after, measured, seen = batch[-1][0], measured + len(sizes), seen + len(batch)
            progress.update(task, description=f"measured {measured} of {seen} stories")

    measured, seen = run_with_container(work)
    typer.echo(f"measured {measured} of {seen} unsized stories")
