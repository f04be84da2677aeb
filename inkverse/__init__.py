"""Inkverse Server: the async Python back end of the Inkverse comics platform."""
