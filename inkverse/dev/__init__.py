"""The embedded development stack behind `inkverse dev`."""
