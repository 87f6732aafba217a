"""Reading a metrics record: JSON checked against the record's dataclass, field by field.

The record's field annotations are the format (see :mod:`locate.typed`); a field with a
default may be absent. A missing file, invalid JSON, an unknown or missing key or a value of
the wrong type is a :class:`~locate.errors.UserError` naming the file and the key.
"""

import typing
from pathlib import Path

from locate.data.files import read_json
from locate.errors import UserError
from locate.typed import FormatError, to_dataclass

T = typing.TypeVar("T")


def read_record(path: str | Path, record_type: type[T]) -> T:
    """The record of type ``record_type`` stored at ``path``."""
    data = read_json(path)
    try:
        return to_dataclass(data, record_type, "")
    except FormatError as error:
        raise UserError(f"{path}: {error}") from None
