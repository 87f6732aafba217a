"""The formats of the files in ``metrics/``: one frozen dataclass per file, written by
:mod:`locate.records.writing` and read back, checked, by :mod:`locate.records.reading`."""
