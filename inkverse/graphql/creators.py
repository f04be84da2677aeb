"""Root fields of creators, their content and links."""

import strawberry
from strawberry import UNSET

from inkverse.creators.repository import CreatorContentRepository, CreatorRepository
from inkverse.graphql.context import Context
from inkverse.graphql.convert import to_enum
from inkverse.graphql.enums import LinkType
from inkverse.graphql.types import Creator, CreatorContent, CreatorLinkDetails, link_parts
from inkverse.graphql.validation import validate_and_trim_uuid

Info = strawberry.Info[Context, None]


@strawberry.type
class CreatorsQuery:
    @strawberry.field
    async def get_creator(
        self, info: Info, uuid: strawberry.ID | None = UNSET, short_url: str | None = UNSET
    ) -> Creator | None:
        if uuid:
            row = await info.context.loaders.creator_by_uuid.load(validate_and_trim_uuid(uuid))
        elif short_url:
            async with info.context.read_session() as session:
                row = await CreatorRepository(session).get_by_short_url(short_url)
        else:
            return None
        return Creator.from_row(row) if row else None

    @strawberry.field
    async def get_creator_links_for_series(
        self, info: Info, series_uuid: strawberry.ID
    ) -> list[CreatorLinkDetails | None] | None:
        creators = await info.context.loaders.creators_by_series_uuid.load(
            validate_and_trim_uuid(series_uuid)
        )
        details: list[CreatorLinkDetails | None] = []
        for creator in creators or []:
            for link in creator.links or []:
                link_type, url = link_parts(link)
                uuid = strawberry.ID(creator.uuid)
                details.append(
                    CreatorLinkDetails(type=to_enum(LinkType, link_type), url=url, creator_uuid=uuid)
                )
        return details

    @strawberry.field
    async def get_creator_content(
        self,
        info: Info,
        creator_uuid: strawberry.ID | None = UNSET,
        content_uuid: strawberry.ID | None = UNSET,
    ) -> CreatorContent | None:
        if not creator_uuid or not content_uuid:
            return None
        creator = validate_and_trim_uuid(creator_uuid, "creatorUuid")
        content = validate_and_trim_uuid(content_uuid, "contentUuid")
        async with info.context.read_session() as session:
            row = await CreatorContentRepository(session).get(creator, content)
        return CreatorContent.from_row(row) if row else None
