"""The three custom validation rules of the original server (graphql.md §3), as graphql-core rules.

They run after graphql-core's specified rules, in this order, on every document. To add them to a
Strawberry schema use `inkverse.graphql.validators.extension.InkverseValidationRules`.
"""

from graphql import ASTValidationRule

from inkverse.cache.keys import CACHE_KEY_FIELD_BY_TYPE
from inkverse.graphql.validators.complexity import (
    MAX_COST,
    TOO_COMPLEX_MESSAGE,
    ComplexityLimitRule,
    document_cost,
)
from inkverse.graphql.validators.depth import MAX_DEPTH, DepthLimitRule, operation_depths
from inkverse.graphql.validators.directives import Cost, CostFactor
from inkverse.graphql.validators.document import RuleViolation
from inkverse.graphql.validators.required_fields import (
    RequiredCacheKeyFieldsRule,
    cache_keyed_field_types,
    check_cache_keys,
)

VALIDATION_RULES: tuple[type[ASTValidationRule], ...] = (
    DepthLimitRule,
    ComplexityLimitRule,
    RequiredCacheKeyFieldsRule,
)

__all__ = [
    "CACHE_KEY_FIELD_BY_TYPE",
    "MAX_COST",
    "MAX_DEPTH",
    "TOO_COMPLEX_MESSAGE",
    "VALIDATION_RULES",
    "ComplexityLimitRule",
    "Cost",
    "CostFactor",
    "DepthLimitRule",
    "RequiredCacheKeyFieldsRule",
    "RuleViolation",
    "cache_keyed_field_types",
    "check_cache_keys",
    "document_cost",
    "operation_depths",
]
