"""The pull request comment: added once, then updated in place by every later push."""

import re

from ci.comment import MARKER, PAGE_SIZE, post_or_update

REPOSITORY = "owner/locate"


class FakeGitHub:
    """Issue comments of one repository kept in memory, answering the REST calls the comment makes."""

    def __init__(self, comments: list[str]):
        self.comments = [{"id": index + 1, "body": body} for index, body in enumerate(comments)]
        self.calls: list[str] = []

    def request(self, method: str, path: str, body: dict | None = None) -> object:
        self.calls.append(method)
        if method == "GET":
            page = int(re.search(r"page=(\d+)$", path)[1])
            return self.comments[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if method == "POST":
            self.comments.append({"id": len(self.comments) + 1, "body": body["body"]})
            return self.comments[-1]
        comment_id = int(path.rsplit("/", 1)[1])
        comment = next(c for c in self.comments if c["id"] == comment_id)
        comment["body"] = body["body"]
        return comment


def test_the_second_push_updates_the_one_comment():
    github = FakeGitHub(["LGTM", "please rebase"])
    assert post_or_update(github, REPOSITORY, 7, "## Pipeline: first push") == "added"
    assert post_or_update(github, REPOSITORY, 7, "## Pipeline: second push") == "updated"
    ours = [comment for comment in github.comments if MARKER in comment["body"]]
    assert len(github.comments) == 3 and len(ours) == 1
    assert ours[0]["body"] == f"{MARKER}\n## Pipeline: second push"
    assert github.calls == ["GET", "POST", "GET", "PATCH"]


def test_the_comment_is_found_beyond_the_first_page():
    github = FakeGitHub([f"comment {i}" for i in range(PAGE_SIZE + 5)] + [f"{MARKER}\nold diff"])
    assert post_or_update(github, REPOSITORY, 7, "new diff") == "updated"
    assert github.comments[-1]["body"] == f"{MARKER}\nnew diff" and len(github.comments) == PAGE_SIZE + 6
