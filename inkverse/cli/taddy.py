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

from inkverse.catalog.text import normalise_uuid
from inkverse.container import build_container
from inkverse.settings import load_settings
from inkverse.taddy.backfill import backfill_story_sizes
from inkverse.taddy.client import TaddyClient
from inkverse.taddy.imports import ImportReport, TaddyImporter
from inkverse.taddy.processing import StoryImageMeasurer, WebhookProcessor

app = typer.Typer(help="Taddy: imports and story images.", no_args_is_help=True)
import_app = typer.Typer(
    help="Import one series or creator, with everything hanging off it.", no_args_is_help=True
)
images_app = typer.Typer(help="Story image sizes.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(images_app, name="images")

T = TypeVar("T")


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
    """Import every series of the file. Resumable: finished uuids are recorded in <file>.done and skipped;
    a series that fails is recorded with the reason in <file>.failed, the others go on, and the next run
    tries it again after the series never tried. Exits with 1 when a series failed."""
    done_file, failed_file = _sibling(file, ".done"), _sibling(file, ".failed")
    done = set(done_file.read_text().split()) if done_file.exists() else set()
    failed_before = _failed_in(failed_file)
    pending = [uuid for uuid in dict.fromkeys(_uuids_in(file)) if uuid not in done]
    uuids = [uuid for uuid in pending if uuid not in failed_before] + [
        uuid for uuid in pending if uuid in failed_before
    ]

    async def work(container: AsyncContainer, progress: Progress) -> ImportReport:
        importer = await _importer(container, progress)
        with done_file.open("a") as done_record, failed_file.open("a") as failed_record:

            def record(uuid: str, reason: str | None) -> None:
                target = done_record if reason is None else failed_record
                target.write(uuid + "\n" if reason is None else f"{uuid}\t{_one_line(reason)}\n")
                target.flush()

            return await importer.import_each(uuids, ImportReport(), record)

    retried = sum(uuid in failed_before for uuid in uuids)
    typer.echo(f"{len(uuids)} series to import ({len(done)} already done, {retried} failed before)")
    report = run_with_container(work)
    _keep_unresolved(failed_file, set(done_file.read_text().split()))
    _summary(report)
    if report.failed:
        typer.echo(f"{len(report.failed)} series failed; uuids and reasons in {failed_file}", err=True)
        raise typer.Exit(1)


def _sibling(file: Path, suffix: str) -> Path:
    return file.with_name(file.name + suffix)


def _failed_in(failed_file: Path) -> dict[str, str]:
    """uuid → the last reason recorded in <file>.failed (one `uuid<TAB>reason` line per failure)."""
    if not failed_file.exists():
        return {}
    lines = (line.partition("\t") for line in failed_file.read_text().splitlines() if line.strip())
    return {uuid: reason for uuid, _, reason in lines}


def _keep_unresolved(failed_file: Path, done: set[str]) -> None:
    """Rewrite <file>.failed with the last reason of each uuid that has still not been imported."""
    unresolved = {uuid: reason for uuid, reason in _failed_in(failed_file).items() if uuid not in done}
    if unresolved:
        failed_file.write_text("".join(f"{uuid}\t{reason}\n" for uuid, reason in unresolved.items()))
    else:
        failed_file.unlink(missing_ok=True)


def _one_line(reason: str) -> str:
    return " ".join(reason.split())


def _uuids_in(file: Path) -> list[str]:
    uuids = []
    for number, line in enumerate(file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            uuids.append(normalise_uuid(str(json.loads(line)["uuid"])))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise typer.BadParameter(f"line {number} is not a JSON object with a `uuid`") from None
    return uuids


@images_app.command("backfill")
def backfill() -> None:
    """Measure every story whose width and height are still unknown, as the worker does after an event:
    stories of exclusive-content issues are skipped, sizes stored and the stories' pages purged."""

    async def work(container: AsyncContainer, progress: Progress) -> tuple[int, int]:
        task = progress.add_task("measuring stories", total=None)
        return await backfill_story_sizes(
            await container.get(async_sessionmaker[AsyncSession]),
            await container.get(StoryImageMeasurer),
            lambda measured, seen: progress.update(
                task, description=f"measured {measured} of {seen} stories"
            ),
        )

    measured, seen = run_with_container(work)
    typer.echo(f"measured {measured} of {seen} unsized stories")
