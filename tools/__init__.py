"""Developer and user tools, run by hand or by ``make``: the one reader of the pipeline graph
(:mod:`tools.pipeline_graph`), the deps writer (:mod:`tools.stage_code`, ``make deps``; dvc.yaml's
top-level metrics and plots come from :mod:`tools.dvc_views`), the same-outputs check behind every
``dvc commit`` of a refactor (:mod:`tools.same_outputs`), tiny projects (:mod:`tools.tiny`) and the smoke
run on them (:mod:`tools.smoke`, ``make smoke``), the DVC remote (:mod:`tools.remote`, ``make pull`` /
``make push``), the queue workers (:mod:`tools.queue_workers`, ``make queue``), pycocotools as the AP
oracle (:mod:`tools.coco_scores`) and the offline plots page (:mod:`tools.vega_page`, ``make vega-page``).

Measurement scripts live in ``benchmarks/``, what CI runs in ``ci/``, test helpers in ``tests/``.
"""
