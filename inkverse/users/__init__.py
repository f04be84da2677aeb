"""Users: accounts and their public profile reads (account management and auth come later)."""
