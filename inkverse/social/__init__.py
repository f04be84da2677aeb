"""Social: comments, likes, subscriptions and reports (public reads first; writes come later)."""
