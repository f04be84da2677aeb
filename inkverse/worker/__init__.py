"""The queue worker: `python -m inkverse.worker`."""
