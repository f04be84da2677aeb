"""The `inkverse` command line, one module per command group."""
