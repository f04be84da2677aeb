"""Scheduled jobs: what runs when (`registry`), and the runner that runs each due job once (`runner`)."""
