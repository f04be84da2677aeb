"""Editorial lists: curated lists and most-popular series, kept as data the operator can replace."""
