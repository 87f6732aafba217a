"""Writing a metrics record: the dataclass as plain, indented JSON, atomically.

Nested dataclasses become objects with their fields in declaration order; an optional field
(one whose default is None) is left out while it is None, so the file holds only what was
measured. Everything else is written as it is, None as null.
"""

from dataclasses import fields, is_dataclass
from pathlib import Path

from locate.atomic import write_json


def plain(record: object) -> object:
    """``record`` as JSON-able values: dataclasses as dicts, lists and dicts element by element."""
    if is_dataclass(record):
        return {
            field.name: plain(getattr(record, field.name))
            for field in fields(record)
            if not (getattr(record, field.name) is None and field.default is None)
        }
    if isinstance(record, dict):
        return {key: plain(value) for key, value in record.items()}
    if isinstance(record, (list, tuple)):
        return [plain(value) for value in record]
    return record


def write_record(path: str | Path, record: object) -> None:
    """``record`` (a dataclass of :mod:`locate.records`) as JSON at ``path``."""
    write_json(path, plain(record))
