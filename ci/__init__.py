"""Continuous integration and the smoke profile: the pipeline on tiny params, and what a pull request changed."""
