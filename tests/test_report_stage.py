"""The report stage checks what it reads: params through their schemas, metrics through their records."""

import json

from tests.stage_runner import repo_params, run_stage, write_params


def test_a_bad_params_value_stops_the_report_with_exit_2(tmp_path):
    params = repo_params()
    params["detector"]["objectness_weight"] = "oops"
    write_params(tmp_path, params)
    result = run_stage(tmp_path, "report")
    assert result.returncode == 2, result.stderr
    assert result.stderr == "error: params key 'detector.objectness_weight': got 'oops', expected a number\n"
    assert not (tmp_path / "reports").exists()


def test_a_params_section_the_appendix_prints_is_checked_too(tmp_path):
    params = repo_params()
    params["keypoints_eval"]["decoding"]["hand_pair_min_ratio"] = 2
    write_params(tmp_path, params)
    result = run_stage(tmp_path, "report")
    assert result.returncode == 2 and "params key 'keypoints_eval.decoding.hand_pair_min_ratio'" in result.stderr


def test_a_metrics_file_in_another_format_is_named_with_exit_2(tmp_path):
    write_params(tmp_path, repo_params())
    (tmp_path / "metrics").mkdir()
    result = run_stage(tmp_path, "report")
    assert result.returncode == 2 and result.stderr == "error: metrics/speed/generate.json: file not found\n"
    (tmp_path / "metrics" / "speed").mkdir()
    (tmp_path / "metrics" / "speed" / "generate.json").write_text(json.dumps({"secs": 2.0}))
    result = run_stage(tmp_path, "report")
    assert result.returncode == 2
    assert result.stderr.startswith("error: metrics/speed/generate.json: key 'secs': unknown key; allowed: seconds")
