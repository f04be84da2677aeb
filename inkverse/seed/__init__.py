"""A deterministic, realistic catalogue for development and benchmarks: `dataset` describes the rows,
`loader` writes them into a migrated database through COPY (`inkverse seed`, and `inkverse dev` on an
empty database)."""
