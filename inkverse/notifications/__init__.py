"""The in-app notification feed and the per-event, per-channel settings (integrations.md §5.6)."""
