"""`getCreatorClaimStatus`: the signed-in user's claim on a creator (graphql.md §2.6)."""

import strawberry

from inkverse.graphql.auth import require_user
from inkverse.graphql.context import Context
from inkverse.graphql.enums import CreatorClaimStatus
from inkverse.users.claims import claim_status

Info = strawberry.Info[Context, None]


@strawberry.type
class ClaimsQuery:
    @strawberry.field
    async def get_creator_claim_status(
        self, info: Info, creator_uuid: strawberry.ID
    ) -> CreatorClaimStatus | None:
        user = require_user(info, "You must be logged in to check claim status")
        async with info.context.read_session() as session:
            status = await claim_status(session, user.id, str(creator_uuid))
        return CreatorClaimStatus(status.value) if status is not None else None
