"""Imported by every Python started with this folder on ``PYTHONPATH``: when ``LOCK_WRITE_FAULT`` names a signal
(``SIGINT``, ``SIGTERM``, ``SIGKILL``), the first time this process writes a lock file of DVC (``dvc.lock``, or
the runner's temporary copy of it) it writes half of it, then sends itself that signal, as a Ctrl-C or a kill in
the middle of the write would come."""

import os

if os.environ.get("LOCK_WRITE_FAULT"):
    import signal
    import time

    import dvc.utils.serialize._yaml as dvc_yaml

    write = dvc_yaml._dump
    struck = []

    def _half_then_signal(data, stream):
        if struck or "dvc.lock" not in str(getattr(stream, "name", "")):
            return write(data, stream)
        struck.append(True)
        text = dvc_yaml.dumps_yaml(data)
        stream.write(text[: len(text) // 2])
        stream.flush()
        os.kill(os.getpid(), getattr(signal, os.environ["LOCK_WRITE_FAULT"]))
        time.sleep(0.5)  # a signal held off arrives later; the write then goes on
        stream.write(text[len(text) // 2:])
        return None

    dvc_yaml._dump = _half_then_signal
