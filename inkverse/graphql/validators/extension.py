"""The Strawberry schema extension that adds the Inkverse validation rules.

`strawberry.Schema(query=..., extensions=[InkverseValidationRules])`: pass the class, not an instance
(Strawberry builds one per request; passing instances is deprecated). Strawberry appends the rules to
graphql-core's specified rules before it validates each request's document, so they share its single
validation pass, as in the original server.
"""

from strawberry.extensions import AddValidationRules

from inkverse.graphql.validators import VALIDATION_RULES


class InkverseValidationRules(AddValidationRules):
    def __init__(self) -> None:
        super().__init__(list(VALIDATION_RULES))
