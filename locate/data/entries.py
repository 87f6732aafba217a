"""The entries of our annotation files as checked records: every value's type, shape and finiteness.

A detection file (COCO) holds ``images`` (:class:`ImageEntry`), ``categories``
(:class:`CategoryEntry`) and ``annotations`` (:class:`AnnotationEntry`); a keypoint file holds
``images`` (:class:`KeypointImageEntry`) under a :class:`KeypointHeader`. Keys beyond these
fields (COCO's ``area``, ``iscrowd``) are allowed and not read. Checks that need the rest of
the file (ids that refer to other entries, boxes inside their image) stay with the readers.
"""

from dataclasses import dataclass

from locate.typed import FormatError

FIGURE_SIZE = 128  # a keypoint image's side in pixels
KEYPOINT_NAMES = ("head", "left_hand", "right_hand", "left_foot", "right_foot")
# Keypoint indices of the two hands: which is which cannot be told from the drawn figure alone.
HANDS = (KEYPOINT_NAMES.index("left_hand"), KEYPOINT_NAMES.index("right_hand"))


@dataclass(frozen=True)
class ImageEntry:
    """One image: its id, PNG file name and size in pixels."""

    id: int
    file_name: str
    width: int
    height: int

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            if getattr(self, name) < 1:
                raise FormatError(name, f"got {getattr(self, name)!r}, expected an integer >= 1")


@dataclass(frozen=True)
class CategoryEntry:
    """One category: its id and name."""

    id: int
    name: str


@dataclass(frozen=True)
class AnnotationEntry:
    """One object: ``bbox`` ``[x, y, w, h]`` in pixels, its category, and the visible share of it in [0, 1]."""

    image_id: int
    category_id: int
    bbox: tuple[float, float, float, float]
    visibility: float
    id: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.visibility <= 1:
            raise FormatError("visibility", f"got {self.visibility!r}, expected a number in [0, 1]")


@dataclass(frozen=True)
class KeypointHeader:
    """A keypoint file's ``num_keypoints`` K and its K ``keypoint_names``."""

    num_keypoints: int
    keypoint_names: list[str]

    def __post_init__(self) -> None:
        if self.num_keypoints < 1 or len(self.keypoint_names) != self.num_keypoints:
            raise FormatError("keypoint_names", f"got {self.keypoint_names!r}, expected num_keypoints names")


@dataclass(frozen=True)
class KeypointImageEntry(ImageEntry):
    """One image of a keypoint file, with its ``keypoints`` ``[[x, y], ...]`` in pixels."""

    keypoints: list[tuple[float, float]]
