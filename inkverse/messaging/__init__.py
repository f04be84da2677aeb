"""Outgoing messages: e-mail (SES v2 with Jinja2 templates), the mailing list (EmailOctopus) and Slack."""
