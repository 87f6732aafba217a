"""A remote that refuses the files of a push is reported in one short line: the cause once, how many files it
hit, the first path.

``fixtures/dvc_push_read_only.txt`` is what ``dvc push`` printed (3 KB, 21 lines) to a local remote whose
folders refused new files ([Errno 1] Operation not permitted, 20 files of 21).
"""

import subprocess
from pathlib import Path

from tools import remote

PRINTED = (Path(__file__).parent / "fixtures/dvc_push_read_only.txt").read_text()
MOST_CHARACTERS = 200


def test_a_refused_push_is_one_line_with_the_cause_once(monkeypatch):
    monkeypatch.setattr(remote, "dvc_command", lambda *args: subprocess.CompletedProcess(args, 1, "", PRINTED))
    monkeypatch.setattr(remote, "remote_url", lambda name: ("storage", "/tmp/rp37ro"))
    monkeypatch.setattr(remote, "check_reachable", lambda *args, **kwargs: None)
    try:
        remote.transfer("push", None)
    except remote.UserError as error:
        line = f"error: {error}"
    assert "\n" not in line and len(line) <= MOST_CHARACTERS, (len(line), line)
    assert line.count("Operation not permitted") == 1 and line.count("/tmp/rp37ro/files/md5/") == 1
    assert "21 files failed to upload: 20 with [Errno 1] Operation not permitted, first '/tmp/rp37ro/files/" in line


def test_a_long_path_is_shortened_in_the_middle():
    path = "/remote/" + "x" * 300 + "/end.tmp"
    shown = remote._shortened(path)
    assert len(shown) <= remote.PATH_CHARACTERS + 3 and shown.startswith("/remote/") and shown.endswith("/end.tmp")


def test_an_error_without_files_stays_as_dvc_says_it():
    printed = "ERROR: unexpected error - [Errno 20] Not a directory: '/r/files'\n\nHaving any troubles? Hit us up\n"
    assert remote._reason(subprocess.CompletedProcess([], 1, "", printed)) == "[Errno 20] Not a directory: '/r/files'"
