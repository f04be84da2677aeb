"""Cloudflare: R2 object storage (`storage`) and zone cache purging."""
