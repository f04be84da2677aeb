"""A deterministic, realistic catalogue for development and benchmarks: the rows, not the loading.

`SeedDataset(size, seed, reference_time, editorial_uuids)` describes every row of every seeded table as
plain tuples in the column order of its `TableData`; nothing here touches a database (the loader is
`inkverse.seed.loader`). The same seed and reference time give exactly the same rows.

Shapes follow the reference (database.md §1.8 and §2, taddy-api.md §5): image JSON with exactly the
allowed keys (`base_url` ending in `/` on Taddy's ax1/ay1 hosts, `.webp` variants), enum values from
`inkverse.catalog_enums`, short URLs by the project's rule (`slug`, then `slug-1`, ...), 0-based issue
and story positions, creator links as Taddy sends them with their `links_hash` and `creatorlink` rows,
one `uuid_lookup` row per series, issue and creator, and recent episode likes and comments so that the
trending lists have something to rank. The editorial data file's series uuids are given to the first
series, so the home screen's featured and curated lists are populated.
"""

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

from inkverse.catalog.short_urls import first_free, slug_for
from inkverse.catalog.text import create_hash
from inkverse.catalog_enums import GENRES

DAY = 86_400
TADDY_HOSTING_PROVIDER_UUID = "e9957105-80e4-46e3-8e82-20472b9d7512"
IMAGE_HOST = "https://ax1.taddy.org"
STORY_HOST = "https://ay1.taddy.org"
EXCLUSIVE_SCOPE = "patreon"

_UUID_MASK = ((1 << 128) - 1) ^ ((0xF << 76) | (0x3 << 62))
_UUID_V4_BITS = (0x4 << 76) | (0x2 << 62)

Row = tuple[Any, ...]


@dataclass(frozen=True)
class SeedSize:
    series: int
    issues_per_series: int
    stories_per_issue: int
    creators: int
    users: int


SIZES: dict[str, SeedSize] = {
    "bench": SeedSize(series=2000, issues_per_series=30, stories_per_issue=10, creators=800, users=1000),
    "demo": SeedSize(series=120, issues_per_series=12, stories_per_issue=6, creators=60, users=50),
}


@dataclass(frozen=True)
class TableData:
    """The rows of one table, generated lazily, in the order of `columns`."""

    name: str
    columns: tuple[str, ...]
    rows: Iterator[Row]


# --- vocabulary -------------------------------------------------------------------------------------

ADJECTIVES = (
    "Crimson", "Silent", "Hidden", "Broken", "Golden", "Midnight", "Lost", "Wandering", "Electric",
    "Forgotten", "Burning", "Frozen", "Hollow", "Shattered", "Velvet", "Wild", "Last", "Secret", "Iron",
    "Paper", "Neon", "Scarlet", "Quiet", "Endless", "Little", "Rising", "Fallen", "Savage", "Gentle",
    "Cursed", "Starlit", "Restless", "Wicked", "Bright", "Hungry", "Sleeping", "Clockwork", "Sunken",
)  # fmt: skip
NOUNS = (
    "Lighthouse", "Kingdom", "Garden", "Witch", "Knight", "Dragon", "Academy", "Detective", "Empire",
    "Crown", "Sword", "Heart", "Moon", "Tower", "Phoenix", "Prince", "Fox", "Ghost", "Circus", "Harbor",
    "Library", "Orchard", "Alchemist", "Runaway", "Signal", "Machine", "Comet", "Forest", "Villain",
    "Bakery", "Courier", "Oracle", "Rebel", "Shadow", "Island", "Station", "Hunter", "Diary",
)  # fmt: skip
PLACES = (
    "the North", "Ashfall", "the Deep", "Eldoria", "the Outer Rim", "Seoul", "Marrow Bay", "the Sky",
    "Old Town", "the Abyss", "Ravenhold", "the Wastes", "Lunaris", "the Valley", "Port Vesper",
)  # fmt: skip
FIRST_NAMES = (
    "Ava", "Min-jun", "Lucas", "Sofia", "Haruto", "Maya", "Leo", "Yuna", "Noah", "Chloe", "Mateo",
    "Isla", "Kai", "Zara", "Ezra", "Nia", "Felix", "Aria", "Omar", "Luna", "Theo", "Ines", "Ravi", "Mei",
)  # fmt: skip
LAST_NAMES = (
    "Kim", "Garcia", "Tanaka", "Silva", "Nguyen", "Okafor", "Rossi", "Novak", "Park", "Lopez", "Chen",
    "Dubois", "Murphy", "Haddad", "Sato", "Kowalski", "Reyes", "Lee", "Moreau", "Singh", "Berg", "Ali",
)  # fmt: skip
EPISODE_WORDS = (
    "Arrival", "The Offer", "Storm Warning", "Old Friends", "The Trial", "Into the Dark", "Homecoming",
    "The Bargain", "Daybreak", "Echoes", "The Duel", "Fault Lines", "A Quiet Night", "Revelations",
    "The Chase", "Embers", "Crossroads", "The Vow", "Undertow", "Checkmate", "First Snow", "Aftermath",
)  # fmt: skip
TAGS = (
    "romance", "fantasy", "action", "comedy", "drama", "magic", "school", "slice of life", "adventure",
    "mystery", "sci-fi", "horror", "historical", "lgbtq", "superpowers", "villainess", "reincarnation",
    "cozy", "found family", "enemies to lovers", "dungeon", "cyberpunk", "monsters", "sports",
)  # fmt: skip
COMMENTS = (
    "This chapter was amazing!", "I did not see that coming.", "The art keeps getting better.",
    "Waiting for next week is torture.", "Best episode so far!", "Poor guy, he deserves a break.",
    "Those colours in the last panel!", "I have so many questions now.", "Finally! They talked!",
    "Rereading this from the start.", "That cliffhanger though...", "Thank you for this series.",
)  # fmt: skip
LANGUAGE_WEIGHTS = {"ENGLISH": 85, "SPANISH": 4, "FRENCH": 3, "KOREAN": 3, "PORTUGUESE": 3, "GERMAN": 2}
RATING_WEIGHTS = {
    "COMICSERIES_BABY": 3, "COMICSERIES_KIDS": 15, "COMICSERIES_TEENS": 42, "COMICSERIES_MATURE_TEENS": 25,
    "COMICSERIES_ADULTS": 15,
}  # fmt: skip
STATUS_WEIGHTS = {"ONGOING": 68, "COMPLETED": 16, "HIATUS": 10, "CANCELLED": 3, "ANNOUNCED": 3}
COUNTRY_WEIGHTS = {
    "UNITED_STATES_OF_AMERICA": 40, "CANADA": 8, "KOREA_SOUTH": 10, "UNITED_KINGDOM": 8, "PHILIPPINES": 8,
    "BRAZIL": 6, "FRANCE": 5, "GERMANY": 5, "JAPAN": 5, "MEXICO": 5,
}  # fmt: skip
AGE_RANGES = ("AGE_18_24", "AGE_25_34", "AGE_35_PLUS")
ROLE_SETS = (
    ("COMICSERIES_WRITER", "COMICSERIES_ARTIST"),
    ("COMICSERIES_ARTIST",),
    ("COMICSERIES_ARTIST_COLORIST",),
    ("COMICSERIES_ARTIST_LETTERER", "COMICSERIES_TRANSLATOR"),
)
# (type, base_url as Taddy sends it, how the handle becomes the value)
LINK_KINDS = (
    ("INSTAGRAM", "https://instagram.com/", "{}"),
    ("TWITTER", "https://twitter.com/", "{}"),
    ("PATREON", "https://patreon.com/", "{}"),
    ("WEBSITE", "https://", "{}.com"),
    ("YOUTUBE", "https://youtube.com/", "@{}"),
    ("TIKTOK", "https://tiktok.com/@", "{}"),
    ("KO_FI", "https://ko-fi.com/", "{}"),
    ("BLUESKY", "https://bsky.app/profile/", "{}.bsky.social"),
    ("MASTODON", "https://mastodon.social/@", "{}"),
    ("EMAIL", "mailto:", "{}@example.com"),
)

# --- small helpers ----------------------------------------------------------------------------------


def random_uuid(rng: random.Random) -> str:
    """A version-4 uuid drawn from `rng` (so reproducible), in canonical text form."""
    digits = f"{(rng.getrandbits(128) & _UUID_MASK) | _UUID_V4_BITS:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def random_hash(rng: random.Random) -> str:
    """A 64-hex-digit value shaped like Taddy's sha256 hashes."""
    return f"{rng.getrandbits(256):064x}"


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


def as_datetime(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


def compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def image_json(base_url: str, variants: Sequence[tuple[str, str]]) -> str:
    return compact({"base_url": base_url, **dict(variants)})


def cover_image(series_uuid: str, image_uuid: str) -> str:
    return image_json(f"{IMAGE_HOST}/{series_uuid}/{image_uuid}/",
                      [("cover_sm", "cover-sm.webp"), ("cover_md", "cover-md.webp"),
                       ("cover_lg", "cover-lg.webp")])  # fmt: skip


def banner_image(owner_path: str, image_uuid: str) -> str:
    return image_json(f"{IMAGE_HOST}/{owner_path}/{image_uuid}/",
                      [("banner_sm", "banner-sm.webp"), ("banner_md", "banner-md.webp"),
                       ("banner_lg", "banner-lg.webp")])  # fmt: skip


def thumbnail_image(owner_path: str, image_uuid: str) -> str:
    return image_json(f"{IMAGE_HOST}/{owner_path}/{image_uuid}/", [("thumbnail", "thumbnail.webp")])


def avatar_image(creator_uuid: str, image_uuid: str) -> str:
    return image_json(f"{IMAGE_HOST}/{creator_uuid}/{image_uuid}/",
                      [("avatar_sm", "avatar-sm.webp"), ("avatar_md", "avatar-md.webp"),
                       ("avatar_lg", "avatar-lg.webp")])  # fmt: skip


def story_image(series_uuid: str, issue_uuid: str, image_uuid: str) -> str:
    # The hot path (one per story): uuids need no JSON escaping, so the text is formatted directly.
    return f'{{"base_url":"{STORY_HOST}/{series_uuid}/{issue_uuid}/{image_uuid}/","story":"story.webp"}}'


def series_name(rng: random.Random) -> str:
    pattern = rng.randrange(4)
    adjective, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
    if pattern == 0:
        return f"The {adjective} {noun}"
    if pattern == 1:
        return f"{noun} of {rng.choice(PLACES)}"
    if pattern == 2:  # noqa: PLR2004 - the third of four title patterns
        return f"My {adjective} {noun}"
    return f"{adjective} {noun}s"


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


# --- plans: what the rows of several tables must agree on -------------------------------------------


@dataclass(frozen=True)
class SeriesPlan:
    index: int
    uuid: str
    name: str
    short_url: str
    created_at: int
    first_published: int
    cadence_seconds: int
    is_editorial: bool
    is_blocked: bool
    has_exclusive_issue: bool
    issue_uuids: tuple[str, ...]

    def issue_date(self, position: int) -> int:
        return self.first_published + position * self.cadence_seconds


@dataclass(frozen=True)
class CreatorPlan:
    index: int
    uuid: str
    name: str
    short_url: str
    created_at: int
    links: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class CreditPlan:
    """One `creatorcontent` row: a creator's roles on a series."""

    uuid: str
    series: SeriesPlan
    creator: CreatorPlan
    roles: tuple[str, ...]
    position: int
    content_position: int


class ShortUrls:
    """The project's short URL rule (`inkverse.catalog.short_urls`) over an in-memory namespace."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def allocate(self, name: str, uuid: str) -> str:
        short_url = first_free(slug_for(name, uuid), self._taken)
        self._taken.add(short_url)
        return short_url


def plan_series(
    size: SeedSize, rng: random.Random, reference_time: int, editorial_uuids: Sequence[str]
) -> list[SeriesPlan]:
    planner = SeriesPlanner(size, rng, reference_time, editorial_uuids)
    return [planner.plan(index) for index in range(size.series)]


class SeriesPlanner:
    def __init__(
        self, size: SeedSize, rng: random.Random, reference_time: int, editorial_uuids: Sequence[str]
    ) -> None:
        self._size = size
        self._rng = rng
        self._reference_time = reference_time
        self._editorial_uuids = editorial_uuids
        self._short_urls = ShortUrls()

    def plan(self, index: int) -> SeriesPlan:
        rng = self._rng
        is_editorial = index < len(self._editorial_uuids)
        uuid = self._editorial_uuids[index] if is_editorial else random_uuid(rng)
        name = series_name(rng)
        first_published = self._reference_time - rng.randint(30, 3 * 365) * DAY
        # Most series got their latest episode in the last weeks, whatever their age.
        age = self._reference_time - first_published
        since_latest = min(int(rng.expovariate(1 / (10 * DAY))), age // 2)
        span = age - since_latest
        return SeriesPlan(
            index=index,
            uuid=uuid,
            name=name,
            short_url=self._short_urls.allocate(name, uuid),
            created_at=first_published + rng.randint(600, DAY),
            first_published=first_published,
            cadence_seconds=span // max(self._size.issues_per_series - 1, 1),
            is_editorial=is_editorial,
            is_blocked=not is_editorial and rng.random() < 0.01,  # noqa: PLR2004 - 1% blocked
            has_exclusive_issue=rng.random() < 0.05,  # noqa: PLR2004 - 5% end on a paid episode
            issue_uuids=tuple(random_uuid(rng) for _ in range(self._size.issues_per_series)),
        )


def plan_creators(size: SeedSize, rng: random.Random, reference_time: int) -> list[CreatorPlan]:
    short_urls = ShortUrls()
    creators = []
    for index in range(size.creators):
        uuid, name = random_uuid(rng), person_name(rng)
        creators.append(
            CreatorPlan(
                index=index,
                uuid=uuid,
                name=name,
                short_url=short_urls.allocate(name, uuid),
                created_at=reference_time - rng.randint(30, 3 * 365) * DAY,
                links=creator_links(rng, name, index),
            )
        )
    return creators


def creator_links(rng: random.Random, name: str, index: int) -> tuple[dict[str, str], ...]:
    handle = f"{name.lower().replace(' ', '').replace('-', '')}{index}"
    kinds = rng.sample(LINK_KINDS, rng.randint(1, 4))
    return tuple(
        {"type": kind, "base_url": base, "value": shape.format(handle)} for kind, base, shape in kinds
    )


def plan_credits(
    series: Sequence[SeriesPlan], creators: Sequence[CreatorPlan], rng: random.Random
) -> list[CreditPlan]:
    """1 to 3 distinct creators per series, busy creators more likely (a few have many comics)."""
    if not creators:
        return []
    cumulative = list(accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(creators))))
    feed_positions = [0] * len(creators)
    plans = []
    for plan in series:
        count = min(len(creators), rng.choices((1, 2, 3), weights=(55, 35, 10))[0])
        chosen = _distinct_choices(rng, creators, cumulative, count)
        for content_position, creator in enumerate(chosen):
            plans.append(
                CreditPlan(
                    uuid=random_uuid(rng),
                    series=plan,
                    creator=creator,
                    roles=ROLE_SETS[min(content_position, len(ROLE_SETS) - 1)],
                    position=feed_positions[creator.index],
                    content_position=content_position,
                )
            )
            feed_positions[creator.index] += 1
    return plans


def _distinct_choices(
    rng: random.Random, population: Sequence[CreatorPlan], cumulative: list[float], count: int
) -> list[CreatorPlan]:
    chosen: dict[int, CreatorPlan] = {}
    while len(chosen) < count:
        item = rng.choices(range(len(population)), cum_weights=cumulative)[0]
        chosen.setdefault(item, population[item])
    return list(chosen.values())


# --- the dataset ------------------------------------------------------------------------------------


class SeedDataset:
    """Every seeded row, table by table. Each table draws from its own random stream (seeded with the
    dataset seed and the table's purpose), so a table's rows do not depend on which tables were read."""

    def __init__(
        self, size: SeedSize, seed: int, reference_time: int, editorial_uuids: Sequence[str] = ()
    ) -> None:
        self.size = size
        self.seed = seed
        self.reference_time = reference_time
        self.series = plan_series(size, self._rng("series"), reference_time, editorial_uuids)
        self.creators = plan_creators(size, self._rng("creators"), reference_time)
        self.credit_plans = plan_credits(self.series, self.creators, self._rng("credits"))
        self._lead_creator = {credit.series.uuid: credit.creator for credit in reversed(self.credit_plans)}

    def _rng(self, purpose: str) -> random.Random:
        return random.Random(f"{self.seed}:{purpose}")  # noqa: S311 - reproducible sample data

    def tables(self) -> list[TableData]:
        """All seeded tables, in load order."""
        return [
            self.series_table(),
            self.issue_table(),
            self.story_table(),
            self.creator_table(),
            self.credit_table(),
            self.creator_link_table(),
            self.uuid_lookup_table(),
            self.user_table(),
            self.like_table(),
            self.comment_table(),
            self.subscription_table(),
        ]

    # --- catalogue ----------------------------------------------------------------------------------

    def series_table(self) -> TableData:
        columns = (
            "uuid", "created_at", "sss_url", "sss_owner_name", "sss_owner_public_email", "hash",
            "issues_hash", "date_published", "name", "description", "cover_image", "banner_image",
            "thumbnail_image", "series_type", "language", "content_rating", "genre0", "genre1", "genre2",
            "tags", "short_url", "copyright", "is_blocked", "status", "series_layout",
            "hosting_provider_uuid", "scopes_for_exclusive_content",
        )  # fmt: skip
        rng = self._rng("series-rows")
        return TableData("comicseries", columns, (self._series_row(plan, rng) for plan in self.series))

    def _series_row(self, plan: SeriesPlan, rng: random.Random) -> Row:
        genres = [*rng.sample(sorted(GENRES), rng.randint(1, 3)), None, None]
        owner = self._lead_creator.get(plan.uuid)
        owner_name = owner.name if owner else None
        year = as_datetime(plan.first_published).year
        return (
            plan.uuid, as_datetime(plan.created_at), f"https://taddy.org/feeds/sss/comicseries/{plan.uuid}",
            owner_name, None, random_hash(rng), random_hash(rng), plan.first_published, plan.name,
            series_description(rng, plan.name), cover_image(plan.uuid, random_uuid(rng)),
            banner_image(plan.uuid, random_uuid(rng)), thumbnail_image(plan.uuid, random_uuid(rng)),
            "WEBTOON", weighted(rng, LANGUAGE_WEIGHTS), weighted(rng, RATING_WEIGHTS), genres[0], genres[1],
            genres[2], rng.sample(TAGS, rng.randint(2, 5)), plan.short_url,
            f"© {year} {owner_name or plan.name}", plan.is_blocked, weighted(rng, STATUS_WEIGHTS),
            "VERTICAL_SCROLL_TOP_TO_BOTTOM", TADDY_HOSTING_PROVIDER_UUID,
            [EXCLUSIVE_SCOPE] if plan.has_exclusive_issue else None,
        )  # fmt: skip

    def issue_table(self) -> TableData:
        columns = (
            "uuid", "created_at", "hash", "stories_hash", "date_published", "name", "creator_note",
            "series_uuid", "banner_image", "thumbnail_image", "is_removed", "is_blocked", "position",
            "push_notification_message", "scopes_for_exclusive_content",
            "date_exclusive_content_is_available",
        )  # fmt: skip
        return TableData("comicissue", columns, self._issue_rows(self._rng("issue-rows")))

    def _issue_rows(self, rng: random.Random) -> Iterator[Row]:
        for plan in self.series:
            series_banner = banner_image(plan.uuid, random_uuid(rng))
            last = len(plan.issue_uuids) - 1
            for position, uuid in enumerate(plan.issue_uuids):
                exclusive = plan.has_exclusive_issue and position == last
                yield self._issue_row(plan, position, uuid, series_banner, rng, exclusive=exclusive)

    def _issue_row(
        self, plan: SeriesPlan, position: int, uuid: str, banner: str, rng: random.Random, *, exclusive: bool
    ) -> Row:
        name = f"Episode {position + 1}: {rng.choice(EPISODE_WORDS)}"
        published = plan.issue_date(position)
        note = "Thanks for reading! New episode next week." if rng.random() < 0.2 else None  # noqa: PLR2004
        return (
            uuid, as_datetime(published + 300), random_hash(rng), random_hash(rng), published, name, note,
            plan.uuid, banner, thumbnail_image(f"{plan.uuid}/{uuid}", random_uuid(rng)), None, False,
            position, f"{name} is out!", [EXCLUSIVE_SCOPE] if exclusive else None,
            self.reference_time + 7 * DAY if exclusive else None,
        )  # fmt: skip

    def story_table(self) -> TableData:
        columns = (
            "uuid", "created_at", "hash", "series_uuid", "issue_uuid", "position", "width", "height",
            "story_image",
        )  # fmt: skip
        return TableData("comicstory", columns, self._story_rows(self._rng("story-rows")))

    def _story_rows(self, rng: random.Random) -> Iterator[Row]:
        stories = range(self.size.stories_per_issue)
        getrandbits = rng.getrandbits
        for plan in self.series:
            series_uuid = plan.uuid
            for position, issue_uuid in enumerate(plan.issue_uuids):
                created_at = as_datetime(plan.issue_date(position) + 300)
                for story_position in stories:
                    yield (
                        random_uuid(rng), created_at, f"{getrandbits(256):064x}", series_uuid, issue_uuid,
                        story_position, 800, 1200 + getrandbits(10),
                        story_image(series_uuid, issue_uuid, random_uuid(rng)),
                    )  # fmt: skip

    def creator_table(self) -> TableData:
        columns = (
            "uuid", "created_at", "hash", "content_hash", "date_published", "name", "bio", "avatar_image",
            "country", "links", "tags", "short_url", "copyright", "sss_url", "sss_owner_name",
            "sss_owner_public_email", "is_blocked", "links_hash",
        )  # fmt: skip
        rng = self._rng("creator-rows")
        return TableData("creator", columns, (self._creator_row(plan, rng) for plan in self.creators))

    def _creator_row(self, plan: CreatorPlan, rng: random.Random) -> Row:
        links = list(plan.links)
        return (
            plan.uuid, as_datetime(plan.created_at), random_hash(rng), random_hash(rng), plan.created_at,
            plan.name, f"{plan.name} makes comics about {rng.choice(TAGS)} and {rng.choice(TAGS)}.",
            avatar_image(plan.uuid, random_uuid(rng)), weighted(rng, COUNTRY_WEIGHTS),
            [compact(link) for link in links], rng.sample(TAGS, 2), plan.short_url,
            f"© {plan.name}", f"https://taddy.org/feeds/sss/creator/{plan.uuid}", plan.name, None, False,
            create_hash(links),
        )  # fmt: skip

    def credit_table(self) -> TableData:
        columns = (
            "uuid", "created_at", "hash", "content_uuid", "content_type", "creator_uuid", "roles",
            "position", "content_position",
        )  # fmt: skip
        rng = self._rng("credit-rows")
        return TableData("creatorcontent", columns, (credit_row(plan, rng) for plan in self.credit_plans))

    def creator_link_table(self) -> TableData:
        columns = ("creator_uuid", "type", "base_url", "value", "created_at")
        rows = (
            (plan.uuid, link["type"], link["base_url"], link["value"], as_datetime(plan.created_at))
            for plan in self.creators
            for link in plan.links
        )
        return TableData("creatorlink", columns, rows)

    def uuid_lookup_table(self) -> TableData:
        return TableData("uuid_lookup", ("uuid", "taddy_type", "created_at"), self._lookup_rows())

    def _lookup_rows(self) -> Iterator[Row]:
        for plan in self.series:
            yield plan.uuid, "COMICSERIES", as_datetime(plan.created_at)
            for position, issue_uuid in enumerate(plan.issue_uuids):
                yield issue_uuid, "COMICISSUE", as_datetime(plan.issue_date(position) + 300)
        for creator in self.creators:
            yield creator.uuid, "CREATOR", as_datetime(creator.created_at)

    # --- readers and their activity -----------------------------------------------------------------

    def user_table(self) -> TableData:
        columns = ("id", "email", "username", "is_email_verified", "created_at", "updated_at", "age_range")
        rng = self._rng("users")
        return TableData("users", columns, (self._user_row(user_id, rng) for user_id in self.user_ids))

    @property
    def user_ids(self) -> range:
        return range(1, self.size.users + 1)

    def _user_row(self, user_id: int, rng: random.Random) -> Row:
        joined = self.reference_time - rng.randint(1, 700) * DAY
        return (
            user_id, f"reader{user_id}@example.com", f"reader{user_id}", True, joined, joined,
            rng.choice(AGE_RANGES),
        )  # fmt: skip

    def _popular_series(self) -> tuple[list[SeriesPlan], list[float]]:
        """Series by popularity (editorial ones first, the rest shuffled) and cumulative weights."""
        others = [plan for plan in self.series if not plan.is_editorial]
        self._rng("popularity").shuffle(others)
        ranked = [*(plan for plan in self.series if plan.is_editorial), *others]
        return ranked, list(accumulate(1 / (rank + 1) for rank in range(len(ranked))))

    def like_table(self) -> TableData:
        columns = (
            "created_at", "updated_at", "user_id", "likeable_uuid", "likeable_type", "parent_uuid",
            "parent_type",
        )  # fmt: skip
        return TableData("user_likes", columns, self._like_rows(self._rng("likes")))

    def _like_rows(self, rng: random.Random) -> Iterator[Row]:
        if not self.series or not self.size.issues_per_series:
            return
        ranked, cumulative = self._popular_series()
        for user_id in self.user_ids:
            liked: set[str] = set()
            for plan in rng.choices(ranked, cum_weights=cumulative, k=rng.randint(5, 45)):
                issue_uuid = rng.choice(plan.issue_uuids)
                if issue_uuid in liked:
                    continue
                liked.add(issue_uuid)
                created = self.reference_time - rng.randint(60, 30 * DAY)
                yield created, created, user_id, issue_uuid, "COMICISSUE", plan.uuid, "COMICSERIES"

    def comment_table(self) -> TableData:
        columns = (
            "uuid", "created_at", "updated_at", "user_id", "text", "target_uuid", "target_type",
            "parent_uuid", "parent_type", "reply_to_comment_uuid", "is_visible", "is_creator",
        )  # fmt: skip
        return TableData("user_comments", columns, self._comment_rows(self._rng("comments")))

    def _comment_rows(self, rng: random.Random) -> Iterator[Row]:
        if not self.series or not self.size.issues_per_series:
            return
        ranked, cumulative = self._popular_series()
        top_level: list[tuple[str, str, str, int]] = []  # (comment uuid, issue uuid, series uuid, time)
        for user_id in self.user_ids:
            for _ in range(rng.randint(0, 8)):
                uuid = random_uuid(rng)
                if top_level and rng.random() < 0.25:  # noqa: PLR2004 - a quarter are replies
                    parent_uuid, issue_uuid, series_uuid, parent_time = rng.choice(top_level)
                    created = min(self.reference_time - 60, parent_time + rng.randint(60, 3 * DAY))
                else:
                    plan = rng.choices(ranked, cum_weights=cumulative)[0]
                    parent_uuid, issue_uuid, series_uuid = None, rng.choice(plan.issue_uuids), plan.uuid
                    created = self.reference_time - rng.randint(3600, 60 * DAY)
                    top_level.append((uuid, issue_uuid, series_uuid, created))
                visible = rng.random() > 0.02  # noqa: PLR2004 - a few hidden by moderation
                yield (
                    uuid, created, created, user_id, rng.choice(COMMENTS), issue_uuid, "COMICISSUE",
                    series_uuid, "COMICSERIES", parent_uuid, visible, False,
                )  # fmt: skip

    def subscription_table(self) -> TableData:
        columns = ("created_at", "updated_at", "user_id", "series_uuid")
        return TableData("userseries_subscriptions", columns, self._subscription_rows(self._rng("subs")))

    def _subscription_rows(self, rng: random.Random) -> Iterator[Row]:
        if not self.series:
            return
        ranked, cumulative = self._popular_series()
        for user_id in self.user_ids:
            chosen = {plan.uuid for plan in rng.choices(ranked, cum_weights=cumulative, k=4)}
            for series_uuid in sorted(chosen):
                created = self.reference_time - rng.randint(60, 200 * DAY)
                yield created, created, user_id, series_uuid


def series_description(rng: random.Random, name: str) -> str:
    hero = person_name(rng).split(" ")[0]
    return (
        f"When {hero} stumbles into the secret of {name.lower()}, nothing will ever be the same. "
        f"A {rng.choice(TAGS)} story about {rng.choice(TAGS)}, told one episode at a time."
    )


def credit_row(plan: CreditPlan, rng: random.Random) -> Row:
    return (
        plan.uuid, as_datetime(plan.series.created_at), random_hash(rng), plan.series.uuid, "COMICSERIES",
        plan.creator.uuid, list(plan.roles), plan.position, plan.content_position,
    )  # fmt: skip
