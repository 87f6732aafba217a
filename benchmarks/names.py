"""The names a benchmark was asked to run: checked against the known ones, all of them by default."""

import argparse


def chosen(parser: argparse.ArgumentParser, given: list[str], known: list[str] | tuple[str, ...], what: str
           ) -> list[str]:
    """``given`` (all of ``known`` when empty); an unknown name ends the program through ``parser.error``."""
    unknown = sorted(set(given) - set(known))
    if unknown:
        parser.error(f"unknown {what} {', '.join(unknown)}; known: {', '.join(known)}")
    return list(given) or list(known)
