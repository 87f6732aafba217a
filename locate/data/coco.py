"""Detection annotations as real COCO JSON, and the course's corner-box format.

Our files are COCO (``bbox`` ``[x, y, w, h]``, ``iscrowd`` 0, annotation ids from 1)
with the course's ``visibility`` kept on each annotation. The course writes corner boxes
``[x1, y1, x2, y2]`` and annotation ids from 0; :func:`coco_from_course` and
:func:`course_from_coco` convert between the two without mutating their input.
"""

from locate.data.shapes import CLASS_NAMES, SCENE_SIZE, Shape

CATEGORIES = [{"id": index, "name": name} for index, name in enumerate(CLASS_NAMES)]
# The order of an entry's keys in our files (COCO's keys first), whichever way the entry was made.
IMAGE_KEYS = ("id", "file_name", "width", "height")
ANNOTATION_KEYS = ("id", "image_id", "category_id", "bbox", "area", "iscrowd", "visibility")
CATEGORY_KEYS = ("id", "name")


def in_order(entry: dict, keys: tuple[str, ...]) -> dict:
    """``entry`` with ``keys`` first in that order, any other key after them as it came (a new dict)."""
    return {key: entry[key] for key in keys if key in entry} | {k: v for k, v in entry.items() if k not in keys}


def image_entry(image_id: int, size: int = SCENE_SIZE) -> dict:
    """The ``images`` entry of one image; file names are the zero-padded id."""
    return dict(zip(IMAGE_KEYS, (image_id, f"{image_id:06d}.png", size, size), strict=True))


def annotation_entry(annotation_id: int, image_id: int, shape: Shape, visibility: float) -> dict:
    """One COCO annotation of a drawn shape (``area`` is the course's size squared)."""
    x1, y1, x2, y2 = shape.box
    values = (annotation_id, image_id, shape.category_id, [x1, y1, x2 - x1, y2 - y1], shape.size * shape.size, 0,
              visibility)
    return dict(zip(ANNOTATION_KEYS, values, strict=True))


def coco_from_course(course: dict) -> dict:
    """A course-format detection dict (corner boxes, ids from 0) as COCO (xywh, ids from 1), every entry's keys
    in our files' order, so that importing the data we generate writes the bytes we generate."""
    annotations = []
    for annotation in course["annotations"]:
        x1, y1, x2, y2 = annotation["bbox"]
        converted = annotation | {"id": annotation["id"] + 1, "bbox": [x1, y1, x2 - x1, y2 - y1], "iscrowd": 0}
        annotations.append(in_order(converted, ANNOTATION_KEYS))
    return {
        "images": [in_order(image, IMAGE_KEYS) for image in course["images"]],
        "annotations": annotations,
        "categories": [in_order(category, CATEGORY_KEYS) for category in course["categories"]],
    }


def course_from_coco(coco: dict) -> dict:
    """Our COCO detection dict back in the course's format (corner boxes, ids from 0)."""
    annotations = []
    for annotation in coco["annotations"]:
        x, y, w, h = annotation["bbox"]
        annotations.append(
            {
                "id": annotation["id"] - 1,
                "image_id": annotation["image_id"],
                "category_id": annotation["category_id"],
                "bbox": [x, y, x + w, y + h],
                "area": annotation["area"],
                "visibility": annotation["visibility"],
            }
        )
    return {"images": coco["images"], "annotations": annotations, "categories": coco["categories"]}
