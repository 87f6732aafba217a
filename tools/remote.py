"""Push results to the DVC remote, or pull them, with one clear line when the remote fails.

``python -m tools.remote pull`` fetches the outputs that ``dvc.lock`` names and DVC's run-cache
from the default remote into the cache, and only when every one of them arrived checks them
out into the workspace, so a remote that cannot be reached leaves the workspace as it was.
``python -m tools.remote push`` sends the cached outputs and the run-cache to the remote. With
the run-cache, a stage whose code, params and inputs match a run anyone pushed is restored
by ``dvc repro`` instead of run again. ``--remote NAME`` picks
a remote other than the default. A missing, unreachable or misconfigured remote ends with
exit code 2 and one line naming the remote, its URL and what failed.
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from dvc.config import Config, ConfigError

from locate.errors import UserError, run_stage

ADD_ONE = "add one with: dvc remote add -d storage <url> (see the README)"
EXTRAS = {"s3": "dvc-s3", "ssh": "dvc-ssh", "gs": "dvc-gs", "gcs": "dvc-gs", "azure": "dvc-azure",
          "http": "dvc-http", "https": "dvc-http", "webdav": "dvc-webdav"}


def dvc_command(*args: str) -> subprocess.CompletedProcess:
    """``dvc args`` with this Python's DVC in the working directory, stdout and stderr captured.

    They are captured through temporary files, not pipes: processes a command leaves running (the
    workers of ``dvc queue start``) inherit its output, and a pipe would not close, nor the call
    return, until they end."""
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        result = subprocess.run([sys.executable, "-m", "dvc", *args], stdout=stdout, stderr=stderr,
                                stdin=subprocess.DEVNULL, text=True)
        stdout.seek(0)
        stderr.seek(0)
        return subprocess.CompletedProcess(result.args, result.returncode, stdout.read(), stderr.read())


def remote_url(name: str | None) -> tuple[str, str]:
    """``(name, url)`` of the remote called ``name``, or of the default remote when ``name`` is None."""
    try:
        config = Config.from_cwd()
    except ConfigError as error:
        raise UserError(f".dvc/config: {error}") from None
    remotes = {remote: settings["url"] for remote, settings in config["remote"].items()}
    name = name or config["core"].get("remote")
    if not name:
        raise UserError(f"no default DVC remote in .dvc/config; {ADD_ONE}")
    if name not in remotes:
        known = ", ".join(remotes) or "none"
        raise UserError(f"DVC remote '{name}': not configured (configured: {known}); {ADD_ONE}")
    return name, remotes[name]


def check_reachable(name: str, url: str, pulling: bool) -> None:
    """Fail early, naming the remote, where it cannot work: a missing folder or a missing DVC plugin."""
    scheme = url.split("://", 1)[0] if "://" in url else "local"
    if scheme == "local" and pulling and not Path(url).is_dir():
        raise UserError(f"DVC remote '{name}' ({url}): folder not found")
    package = EXTRAS.get(scheme)
    if package and subprocess.run([sys.executable, "-c", f"import {package.replace('-', '_')}"],
                                  capture_output=True).returncode != 0:
        raise UserError(f"DVC remote '{name}' ({url}): needs the package {package}: pip install {package}")


RUN_OUTPUTS = ("run-cache outputs",)  # the step of :func:`run_outputs` among the dvc commands
CAUSE = re.compile(r"^(?P<what>.*?) - (?P<cause>.*)$")  # DVC's "failed to transfer 'md5' - [Errno 13] ..."
AT_PATH = re.compile(r"^(?P<cause>.*?): '(?P<path>[^']*)'$")  # an OS error's "...: '/the/path'"
PATH_CHARACTERS = 60  # the most of a path a line shows (its start and its end)


def _shortened(path: str) -> str:
    if len(path) <= PATH_CHARACTERS:
        return path
    half = PATH_CHARACTERS // 2
    return f"{path[:half]}...{path[-half:]}"


def _reason(result: subprocess.CompletedProcess) -> str:
    """DVC's error in one short line, without its log prefix and support footer: its last error (the summary, as
    ``21 files failed to upload``), then the cause of the first failed file once, with how many failed files share
    it and the first one's path (``20 with [Errno 13] Permission denied, first '/remote/files/md5/3b/...'``)."""
    lines = [line.strip() for line in (result.stderr + result.stdout).splitlines()]
    errors = [re.sub(r"^ERROR:\s*", "", line) for line in lines if line.startswith("ERROR")]
    if not errors:
        return next((line for line in reversed(lines) if line), f"exit code {result.returncode}")
    summary = match["cause"] if (match := CAUSE.match(errors[-1])) else errors[-1]
    per_file = []
    for line in errors[:-1]:
        cause = match["cause"] if (match := CAUSE.match(line)) else line
        at = AT_PATH.match(cause)
        per_file.append((at["cause"], at["path"]) if at else (cause, None))
    if not per_file:
        return summary
    cause, path = per_file[0]
    sharing = sum(1 for other, _ in per_file if other == cause)
    first = f", first '{_shortened(path)}'" if path else ""
    return f"{summary}: {sharing} with {cause}{first}"


def run_outputs(direction: str, name: str) -> str:
    """Move the outputs every run-cache entry names between the cache and the remote ``name`` (``push`` or
    ``fetch``): ``dvc push --run-cache`` sends the entries but only the outputs of ``dvc.lock``, so without this
    an experiment's run (or any run but the last) could not be restored from the run-cache elsewhere. Objects
    one side lacks are left out (an entry whose outputs are gone is simply not restorable); a summary line."""
    from dvc.repo import Repo

    with Repo(".") as repo:
        runs = Path(repo.cache.legacy.path) / "runs"
        entries = [(entry.parent.name, entry.name) for entry in runs.glob("*/*/*") if entry.is_file()]
        moved = 0
        for odb, objects in repo.stage_cache.get_used_objs(entries).items():
            send = repo.cloud.push if direction == "push" else repo.cloud.pull
            moved += len(send(objects, remote=name, odb=odb).transferred)
    return f"{moved} outputs of the run-cache's {len(entries)} runs {'pushed' if direction == 'push' else 'fetched'}"


def transfer(direction: str, name: str | None) -> str:
    """``pull`` or ``push`` with the remote ``name`` (default remote if None), the outputs of every run in the
    run-cache included (:func:`run_outputs`); DVC's summary lines."""
    name, url = remote_url(name)
    check_reachable(name, url, pulling=direction == "pull")
    steps = [("fetch", "-r", name, "--run-cache"), RUN_OUTPUTS, ("checkout",)]
    if direction == "push":
        steps = [("push", "-r", name, "--run-cache"), RUN_OUTPUTS]
    outputs = []
    for step in steps:
        if step == RUN_OUTPUTS:
            outputs.append(_run_outputs_or_error(direction, name, url))
            continue
        result = dvc_command(*step)
        if result.returncode != 0:
            raise UserError(f"DVC remote '{name}' ({url}): {step[0]} failed: {_reason(result)}")
        outputs.append(result.stdout.strip())
    return "\n".join(line for line in outputs if line)


def _run_outputs_or_error(direction: str, name: str, url: str) -> str:
    from dvc.exceptions import DvcException

    try:
        return run_outputs("push" if direction == "push" else "fetch", name)
    except DvcException as error:
        raise UserError(f"DVC remote '{name}' ({url}): the run-cache's outputs: {error}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("direction", choices=("pull", "push"))
    parser.add_argument("--remote", help="remote name (default: the default remote)")
    args = parser.parse_args()
    print(transfer(args.direction, args.remote))


if __name__ == "__main__":
    run_stage(main)
