"""With read replicas every purge goes out a second time, once the replicas have replayed the write."""

from collections.abc import Sequence

from inkverse.cache.purge import CacheType, Purge
from inkverse.cache.replica_lag import LaggingReplicaPurger

SERIES = Purge(CacheType.COMICSERIES, ("series-1",), short_url="one")
ISSUE = Purge(CacheType.COMICISSUE, ("issue-1",), series_uuid="series-1")


class RecordingPurger:
    def __init__(self) -> None:
        self.calls: list[list[Purge]] = []

    async def purge(self, purges: Sequence[Purge]) -> None:
        self.calls.append(list(purges))


async def test_each_purge_is_repeated_after_the_first_one() -> None:
    recorder = RecordingPurger()
    purger = LaggingReplicaPurger(recorder, delay_seconds=0.01)

    await purger.purge([SERIES])
    await purger.purge([ISSUE, SERIES])
    assert recorder.calls == [[SERIES], [ISSUE, SERIES]]  # at once, as without replicas

    await purger.wait_idle()
    repeats = recorder.calls[2:]
    assert {purge for call in repeats for purge in call} == {SERIES, ISSUE}
    assert all(len(call) == len(set(call)) for call in repeats)  # one purge of each per repeat


async def test_nothing_is_repeated_for_an_empty_purge() -> None:
    recorder = RecordingPurger()
    purger = LaggingReplicaPurger(recorder, delay_seconds=0.01)
    await purger.purge([])
    await purger.wait_idle()
    assert recorder.calls == [[]]
