"""What every catalog writer shares: the Taddy event vocabulary and payload models, the shared
`apply` dispatch, uuid lookup, short URLs, webhook ordering state and change results.

The webhook pipeline (`inkverse.taddy`) depends on this package, never the reverse."""
