"""One comment per pull request with the pipeline's diff, updated on every push instead of added again.

``python -m ci.comment --pr N --body-file ci-output/diff.md`` finds the comment of an earlier
run by :data:`MARKER` (an HTML comment GitHub does not show) and edits it, or adds it when
there is none. It talks to GitHub's REST API with ``GITHUB_TOKEN`` for ``GITHUB_REPOSITORY``
(``owner/name``) at ``GITHUB_API_URL``, all three set by GitHub Actions.
"""

import argparse
import json
import os
import urllib.request
from pathlib import Path
from typing import Protocol

from locate.errors import UserError, run_stage

MARKER = "<!-- locate-pipeline-diff -->"
PAGE_SIZE = 100


class Client(Protocol):
    """The two calls the comment needs: ``request(method, path, body)`` -> parsed JSON reply."""

    def request(self, method: str, path: str, body: dict | None = None) -> object: ...


class GitHub:
    """GitHub's REST API at ``api_url`` with ``token``."""

    def __init__(self, api_url: str, token: str) -> None:
        self.api_url, self.token = api_url.rstrip("/"), token

    def request(self, method: str, path: str, body: dict | None = None) -> object:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
                   "X-GitHub-Api-Version": "2022-11-28"}
        call = urllib.request.Request(self.api_url + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(call, timeout=30) as reply:
            return json.loads(reply.read() or b"null")


def our_comment(client: Client, repository: str, number: int) -> dict | None:
    """The first comment of pull request ``number`` that carries :data:`MARKER`, or None."""
    page = 1
    while True:
        comments = client.request("GET", f"/repos/{repository}/issues/{number}/comments"
                                         f"?per_page={PAGE_SIZE}&page={page}")
        found = next((comment for comment in comments if MARKER in (comment.get("body") or "")), None)
        if found is not None or len(comments) < PAGE_SIZE:
            return found
        page += 1


def post_or_update(client: Client, repository: str, number: int, text: str) -> str:
    """Put ``text`` (with :data:`MARKER`) in the pull request's one pipeline comment; ``"updated"`` or ``"added"``."""
    body = {"body": f"{MARKER}\n{text}"}
    existing = our_comment(client, repository, number)
    if existing is None:
        client.request("POST", f"/repos/{repository}/issues/{number}/comments", body)
        return "added"
    client.request("PATCH", f"/repos/{repository}/issues/comments/{existing['id']}", body)
    return "updated"


def _environment(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise UserError(f"environment variable {name} is not set (GitHub Actions sets it)")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pr", type=int, required=True, help="the pull request's number")
    parser.add_argument("--body-file", type=Path, required=True, help="the comment's Markdown")
    args = parser.parse_args()
    if not args.body_file.is_file():
        raise UserError(f"{args.body_file}: file not found; expected the diff ci.pull_request writes")
    client = GitHub(os.environ.get("GITHUB_API_URL", "https://api.github.com"), _environment("GITHUB_TOKEN"))
    done = post_or_update(client, _environment("GITHUB_REPOSITORY"), args.pr, args.body_file.read_text())
    print(f"pull request #{args.pr}: pipeline comment {done}")


if __name__ == "__main__":
    run_stage(main)
