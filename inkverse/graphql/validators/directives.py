"""The `@cost` and `@costFactor` schema directives read by the complexity rule (graphql.md §2.1, §3.2).

Declare them on a Strawberry field, e.g. `strawberry.field(directives=[CostFactor(value=1)])` prints as
`sections: [NotificationSection!]! @costFactor(value: 1)`.
"""

import strawberry
from strawberry.schema_directive import Location


@strawberry.schema_directive(name="cost", locations=[Location.FIELD_DEFINITION])
class Cost:
    """Replaces the field's own cost (18 for an object type, 1 otherwise)."""

    value: float


@strawberry.schema_directive(name="costFactor", locations=[Location.FIELD_DEFINITION])
class CostFactor:
    """Replaces the field's list multiplier (12 per list level)."""

    value: float
