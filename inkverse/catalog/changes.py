"""What a webhook write did, and what the caller needs afterwards to purge caches and notify."""

from dataclasses import dataclass
from enum import StrEnum

from inkverse.catalog.events import TaddyType


class Outcome(StrEnum):
    CREATED = "created"
    """The row did not exist and was inserted (also for an `updated` event of an unknown object)."""
    UPDATED = "updated"
    """The row existed and was overwritten (also for a repeated `created`)."""
    DELETED = "deleted"
    """The row, or rows hanging off it, were deleted."""
    NOT_FOUND = "not_found"
    """A delete found nothing to delete: a successful no-op."""
    STALE = "stale"
    """Skipped: a newer event (or a delete at the same time or later) was already applied."""


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """The result of applying one webhook event.

    Short URLs never change once set, so `previous_short_url` equals `short_url` on an update; it is
    None when the row was just created. On a delete `short_url` is the deleted row's.
    """

    taddy_type: TaddyType
    uuid: str
    outcome: Outcome
    short_url: str | None = None
    previous_short_url: str | None = None
    series_uuid: str | None = None
    """The issue's series; for creatorcontent, the content when it is a series."""
    name: str | None = None
    """An issue's name (its page URL contains it); on a delete, the deleted row's."""
    previous_name: str | None = None
    """An issue's name before this event, when the event renamed it."""
    previous_series_uuid: str | None = None
    """The issue's series before this event, when the event moved it to another series."""
    creator_uuid: str | None = None
    """For creatorcontent: the creator whose page lists the content."""
    issue_uuids: tuple[str, ...] = ()
    """Issues deleted along with a series."""
    stories_added: tuple[str, ...] = ()
    stories_updated: tuple[str, ...] = ()
    """Stories rewritten, including removed ones that came back (restored)."""
    stories_removed: tuple[str, ...] = ()
    """Stories soft-removed by an issue update, or deleted with their issue or series."""
    creatorcontent_uuids: tuple[str, ...] = ()
    """The creatorcontent written or deleted (all of a creator's on a creator delete)."""
    content_uuids: tuple[str, ...] = ()
    """Contents (series) whose creator list changed: the content of a creatorcontent event, or every
    content of a deleted creator."""
    links_changed: bool = False
    """A creator's links differed from the stored ones (by `links_hash`), so creatorlink was rewritten."""
    series_short_urls: tuple[tuple[str, str | None], ...] = ()
    """For an issue: (series uuid, its short URL) of its series and of the one it moved from, when the
    write read them (the page purges need them); empty when it did not."""

    @property
    def applied(self) -> bool:
        return self.outcome in {Outcome.CREATED, Outcome.UPDATED, Outcome.DELETED}

    @property
    def story_uuids(self) -> tuple[str, ...]:
        return self.stories_added + self.stories_updated + self.stories_removed
