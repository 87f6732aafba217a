"""Report sentences built from speed records, including a training that resumed without its earlier time."""

from locate.report import stage_times, training_time

WHOLE = {"train_seconds": 600.0, "epochs": 30, "train_images": 1000, "train_images_per_second": 50.0}
RESUMED = {"train_seconds": 300.0, "epochs": 50, "timed_epochs": 25, "train_images": 1000,
           "train_images_per_second": 83.3}


def test_training_time_names_the_epochs_it_covers():
    assert training_time(WHOLE) == "the 30 epochs took 10.0 min (50.0 training images/s)"
    assert training_time(RESUMED) == ("epochs 26-50 took 5.0 min (83.3 training images/s); the run resumed after "
                                      "epoch 25 and the time of epochs 1-25 was not kept")
    assert training_time({}) == "its training time was not recorded"


def test_stage_times_mark_a_resumed_training():
    rows = stage_times({"train_a": WHOLE, "train_b": RESUMED, "evaluate": {"eval_seconds": 8.5}, "other": {}})
    assert rows == [["evaluate", "8.5 s"], ["train_a", "10.0 min"],
                    ["train_b", "5.0 min (last 25 of 50 epochs: resumed)"]]
