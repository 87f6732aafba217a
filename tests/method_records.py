"""Keypoint method records for tests, built by field name, so a new single-number field of
:class:`~locate.records.keypoints.MethodScores` needs no edit in the tests that build one."""

from dataclasses import fields

from locate.records.keypoints import MethodScores

PCK_TABLES = ("pck", "pck_symmetric")


def method_record(pck: dict[str, float], pck_symmetric: dict[str, float], **numbers: float) -> MethodScores:
    """A record with the two PCK tables, ``numbers`` by field name, and 0 in every other single-number field."""
    zeros = {field.name: 0 for field in fields(MethodScores) if field.name not in PCK_TABLES}
    return MethodScores(pck, pck_symmetric, **(zeros | numbers))
