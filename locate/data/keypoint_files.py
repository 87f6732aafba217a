"""Keypoint annotations: the course's structure plus image size and keypoint names.

``{"images": [{id, file_name, width, height, keypoints: [[x, y]] * K}],
"keypoint_names": [...], "num_keypoints": K}``; the course's own files lack ``width``
and ``height``, which :func:`keypoints_from_course` adds.
"""

from locate.data.entries import FIGURE_SIZE, KEYPOINT_NAMES


def keypoint_image_entry(image_id: int, keypoints: list[list[int]]) -> dict:
    """One image's entry with its keypoints in pixels."""
    return {
        "id": image_id,
        "file_name": f"{image_id:06d}.png",
        "width": FIGURE_SIZE,
        "height": FIGURE_SIZE,
        "keypoints": keypoints,
    }


def keypoint_document(images: list[dict]) -> dict:
    """The whole file's content for a split."""
    return {"images": images, "keypoint_names": list(KEYPOINT_NAMES), "num_keypoints": len(KEYPOINT_NAMES)}


def keypoints_from_course(course: dict) -> dict:
    """A course keypoint file's content in our structure (adds width and height)."""
    images = [keypoint_image_entry(image["id"], image["keypoints"]) for image in course["images"]]
    for image, source in zip(images, course["images"], strict=True):
        image["file_name"] = source["file_name"]
    return keypoint_document(images)


def course_from_keypoints(ours: dict) -> dict:
    """Our keypoint file's content in the course's structure."""
    images = [{key: image[key] for key in ("id", "file_name", "keypoints")} for image in ours["images"]]
    return {"images": images, "keypoint_names": ours["keypoint_names"], "num_keypoints": ours["num_keypoints"]}
