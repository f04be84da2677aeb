"""The Strawberry GraphQL schema: types, root fields, loaders and validation rules."""
