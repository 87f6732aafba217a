"""CI's DVC remote: ``python -m ci.use_remote URL`` makes ``URL`` the default remote of this checkout
(``.dvc/config.local``, never committed), after installing the DVC plugin its scheme needs.

The plugin is DVC's own extra at the pinned DVC version (``s3://...`` -> ``dvc[s3]==3.67.1``), so pip
picks the plugin release made for it. Credentials come from the environment, as the workflow passes
the repository's secrets (docs/remote-and-ci.md): S3 and MinIO read ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, Azure ``AZURE_STORAGE_CONNECTION_STRING``, Google Cloud Storage
``GOOGLE_APPLICATION_CREDENTIALS`` (a key file the workflow writes from a secret), SSH the key file in
``DVC_SSH_KEY_FILE``, which this sets as the remote's ``keyfile``.
"""

import os
import subprocess
import sys
from importlib import metadata

from locate.errors import UserError, run_stage
from tools.remote import EXTRAS

NAME = "ci"
SSH_KEY = "DVC_SSH_KEY_FILE"


def plugin_requirement(url: str, dvc_version: str) -> str | None:
    """The pip requirement of the DVC plugin ``url``'s scheme needs (``dvc[s3]==X``); None for a folder or a
    scheme DVC serves itself."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else "local"
    package = EXTRAS.get(scheme)
    if package is None or package == "dvc-http":  # dvc-http comes with DVC
        return None
    return f"dvc[{package.removeprefix('dvc-')}]=={dvc_version}"


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise UserError(f"{' '.join(command[:4])} ...: {last[0]}")


def main() -> None:
    if len(sys.argv) != 2 or not sys.argv[1]:
        raise UserError("usage: python -m ci.use_remote URL (the DVC remote of the secret DVC_REMOTE_URL)")
    url = sys.argv[1]
    requirement = plugin_requirement(url, metadata.version("dvc"))
    if requirement:
        _run(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement)
    _run(sys.executable, "-m", "dvc", "remote", "add", "--local", "--force", "--default", NAME, url)
    if os.environ.get(SSH_KEY):
        _run(sys.executable, "-m", "dvc", "remote", "modify", "--local", NAME, "keyfile", os.environ[SSH_KEY])
    print(f"DVC remote '{NAME}': {url.split('://', 1)[0] if '://' in url else 'folder'}"
          + (f", with {requirement}" if requirement else ""))


if __name__ == "__main__":
    run_stage(main)
