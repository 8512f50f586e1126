"""Training: reproducible, validated on held-out recordings, cancellable, reports progress."""

import sys
import threading

import numpy as np
import pytest
import torch

from autolabel.segmenter import (
    Recording,
    Region,
    TrainingCancelled,
    TrainingConfig,
    TrainingDataError,
    train,
)
from autolabel.segmenter.train import (
    _EarlyStop,
    _epoch_windows,
    _labeled_rows,
    _Part,
    _stack_for_windows,
    class_weights,
    fold_normalization,
    input_normalization,
    sampled_class_weights,
    split_recordings,
)

from .conftest import synthetic_recording, tiny_config

train_module = sys.modules["autolabel.segmenter.train"]
progress_module = sys.modules["autolabel.segmenter.progress"]


def _parts(n, rows=100, labeled=True):
    labels = np.zeros(rows, dtype=np.int64)
    if labeled:
        labels[10:30] = 1
    return [_Part(f"r{i}", np.zeros((rows, 2), np.float32), labels.copy()) for i in range(n)]


def test_same_seed_same_weights_and_predictions(recordings):
    first = train(recordings, ["A", "B"], tiny_config())
    second = train(recordings, ["A", "B"], tiny_config())
    for key, value in first.model.state_dict().items():
        assert torch.equal(value, second.model.state_dict()[key]), key
    values = recordings[0].values
    assert np.array_equal(first.proba(values), second.proba(values))
    assert first.predict(values) == second.predict(values)
    other = train(recordings, ["A", "B"], tiny_config(seed=1))
    assert not torch.equal(other.model.fc_input.weight, first.model.fc_input.weight)


def test_training_leaves_the_global_random_state_alone(recordings):
    before = torch.get_rng_state()
    train(recordings, ["A", "B"], tiny_config(train_epochs=1))
    assert torch.equal(before, torch.get_rng_state())


def test_learns_the_synthetic_task_and_records_metadata(recordings):
    segmenter = train(
        recordings, ["A", "B"], tiny_config(train_epochs=25, patience=5), channels=["x", "y", "z"]
    )
    info = segmenter.training
    assert info["validation_split"] == "recordings"
    assert set(info["train_recordings"]).isdisjoint(info["validation_recordings"])
    assert info["validation"]["balanced_accuracy"] > 0.8
    assert segmenter.channels == ("x", "y", "z")
    assert segmenter.label_kinds == {"A": "range", "B": "range"}
    prediction = segmenter.predict(synthetic_recording("new", 240, seed=9).values)
    assert {r.label for r in prediction.regions} == {"A", "B"}


def test_instant_labels_are_learned_as_instants():
    recordings = [synthetic_recording(f"r{i}", 240, seed=i, instants=True) for i in range(3)]
    segmenter = train(recordings, ["A", "B", "Spike"], tiny_config(train_epochs=1))
    assert segmenter.label_kinds["Spike"] == "instant"
    assert segmenter.contents.postprocess.instant_gap_rows > 1


def test_instants_are_delivered_by_peak_picking_without_changing_training(recordings):
    """The threshold only decides how the saved checkpoint decodes instants: validation (and
    so the epochs and weights) stays on the argmax runs, as measured on the fold table."""
    spiky = [synthetic_recording(f"r{i}", 240, seed=i, instants=True) for i in range(3)]
    config = tiny_config(train_epochs=3)
    peaks = train(spiky, ["A", "B", "Spike"], config)
    argmax = train(
        spiky, ["A", "B", "Spike"], TrainingConfig(**{**vars(config), "instant_threshold": None})
    )
    assert peaks.contents.postprocess.instant_threshold == 0.6
    assert argmax.contents.postprocess.instant_threshold is None
    assert peaks.training["history"] == argmax.training["history"]
    for key, value in peaks.contents.state_dict.items():
        assert torch.equal(argmax.contents.state_dict[key], value)
    ranges_only = train(recordings, ["A", "B"], tiny_config(train_epochs=1))
    assert ranges_only.contents.postprocess.instant_threshold is None


def test_validation_split_is_by_whole_recording():
    parts = _parts(10)
    split = split_recordings(parts, TrainingConfig(validation_fraction=0.2))
    assert split.method == "recordings" and len(split.validation) == 2
    names = [p.name for p in split.train] + [p.name for p in split.validation]
    assert sorted(names) == sorted(p.name for p in parts)
    for part in split.train + split.validation:  # whole recordings, never slices
        assert len(part.values) == 100


def test_validation_keeps_every_class_in_training():
    parts = _parts(4, labeled=False)
    parts[2].labels[40:50] = 2  # the only recording with class 2
    parts[0].labels[40:50] = 1
    for seed in range(5):
        split = split_recordings(parts, TrainingConfig(seed=seed))
        assert "r2" in [p.name for p in split.train]


def test_single_recording_validates_on_its_tail():
    (part,) = _parts(1, rows=1000)
    split = split_recordings([part], TrainingConfig(validation_fraction=0.2))
    assert split.method == "tail"
    assert len(split.train[0].values) == 800 and len(split.validation[0].values) == 200
    short = split_recordings(_parts(1, rows=80), TrainingConfig())
    assert short.method == "none" and short.validation == []


def test_windows_never_cross_recordings():
    parts = [
        _Part(f"r{i}", np.zeros((n, 1), np.float32), np.zeros(n, np.int64))
        for i, n in enumerate([7, 20, 33, 100, 21])
    ]
    values, labels, bases, lengths = _stack_for_windows(parts, 20)
    assert len(values) == len(labels) == sum(max(20, len(p.values)) for p in parts)
    assert (labels[7:20] == -1).all()  # the short recording is padded with ignored rows
    rng, config = np.random.default_rng(0), TrainingConfig(sequence_size=20)
    labeled = _labeled_rows(labels)
    for _ in range(5):
        starts = _epoch_windows(bases, lengths, rng, config, labeled)
        owner = np.searchsorted(bases, starts, side="right") - 1
        assert (starts + 20 <= bases[owner] + lengths[owner]).all()


def test_early_stop_scores_only_validation_recordings(recordings, monkeypatch):
    seen = []
    original = train_module._validate

    def spy(model, parts, *rest):
        seen.append({p.name for p in parts})
        return original(model, parts, *rest)

    monkeypatch.setattr(train_module, "_validate", spy)
    segmenter = train(recordings, ["A", "B"], tiny_config(train_epochs=3, refit=False))
    validation = set(segmenter.training["validation_recordings"])
    assert seen and all(names == validation for names in seen)
    assert validation.isdisjoint(segmenter.training["train_recordings"])


def _metrics(ba, f1, macro, nll=1.0):
    return {"balanced_accuracy": ba, "min_class_f1": f1, "macro_f1": macro, "balanced_nll": nll}


def test_early_stop_waits_for_thresholds_then_patience():
    stopper = _EarlyStop(TrainingConfig(patience=2, min_best_epoch=0))
    model = torch.nn.Linear(1, 1)
    script = [
        _metrics(0.5, 0.1, 0.40),
        _metrics(0.9, 0.0, 0.60),  # a class with F1 = 0 counts: no stop allowed
        _metrics(0.9, 0.6, 0.50),
        _metrics(0.9, 0.6, 0.55),
        _metrics(0.9, 0.8, 0.70),  # thresholds met, best
        _metrics(0.9, 0.8, 0.69),
        _metrics(0.9, 0.8, 0.65),  # two epochs without improvement: stop
    ]
    stops = [stopper.update(epoch, m, model) for epoch, m in enumerate(script, start=1)]
    assert stops == [False] * 6 + [True]
    assert stopper.best_epoch == 5


def test_equal_validation_f1_goes_to_the_lower_validation_loss():
    stopper = _EarlyStop(TrainingConfig(patience=2, min_best_epoch=0))
    model = torch.nn.Linear(1, 1)
    for epoch, nll in enumerate([0.5, 0.4, 0.45, 0.3, 0.35], start=1):
        stopper.update(epoch, _metrics(1.0, 1.0, 1.0, nll), model)
    assert stopper.best_epoch == 4


def test_validation_f1_within_the_tolerance_counts_as_equal_and_the_loss_decides():
    """One validation recording's F1 wobbles by a few thousandths from epoch to epoch; the
    kept epoch is the one with the lowest loss among those near the best F1."""
    stopper = _EarlyStop(TrainingConfig(patience=20, f1_tolerance=0.005, min_best_epoch=0))
    model = torch.nn.Linear(1, 1)
    script = [(0.990, 0.040), (0.992, 0.025), (0.9905, 0.019), (0.984, 0.010), (0.991, 0.020)]
    for epoch, (f1, nll) in enumerate(script, start=1):
        stopper.update(epoch, _metrics(1.0, 1.0, f1, nll), model)
    assert stopper.best_epoch == 3  # epoch 4's loss is lower, but its F1 is 0.008 below


def test_a_creeping_validation_f1_moves_the_kept_epoch():
    stopper = _EarlyStop(TrainingConfig(patience=20, f1_tolerance=0.005, min_best_epoch=0))
    model = torch.nn.Linear(1, 1)
    for epoch, (f1, nll) in enumerate([(0.980, 0.1), (0.984, 0.2), (0.988, 0.3)], start=1):
        stopper.update(epoch, _metrics(1.0, 1.0, f1, nll), model)
    assert stopper.best_epoch == 3  # epoch 1 is now more than the tolerance below the best


def test_without_tolerance_any_higher_f1_wins():
    stopper = _EarlyStop(TrainingConfig(patience=20, f1_tolerance=0.0, min_best_epoch=0))
    model = torch.nn.Linear(1, 1)
    for epoch, (f1, nll) in enumerate([(0.992, 0.05), (0.991, 0.01)], start=1):
        stopper.update(epoch, _metrics(1.0, 1.0, f1, nll), model)
    assert stopper.best_epoch == 1


def test_validation_that_never_meets_thresholds_runs_every_epoch(recordings, monkeypatch):
    monkeypatch.setattr(train_module, "_validate", lambda *a: _metrics(0.1, 0.0, 0.1))
    segmenter = train(recordings, ["A", "B"], tiny_config(train_epochs=4, refit=False))
    assert segmenter.training["epochs_run"] == 4 and not segmenter.training["stopped_early"]


def test_progress_reports_every_epoch_with_its_phase(recordings):
    calls = []
    segmenter = train(recordings, ["A", "B"], tiny_config(train_epochs=3), progress=calls.append)
    info = segmenter.training
    ends = [c for c in calls if c.epoch_end]
    assert len(ends) == info["epochs_run"] + info["refit_epochs"]
    assert [c.global_epoch for c in ends] == list(range(1, len(ends) + 1))
    first = ends[0]
    assert first.phase == "validating" and first.phase_epochs == 3 and first.loss > 0
    assert "balanced_accuracy" in first.metrics
    assert [h["phase"] for h in info["history"]] == [c.phase for c in ends]


def _phases_of_a_real_training(recordings, monkeypatch, **config):
    monkeypatch.setattr(progress_module, "REPORT_INTERVAL_S", 0.0)  # every batch reports
    calls = []
    segmenter = train(recordings, ["A", "B"], tiny_config(**config), progress=calls.append)
    return segmenter.training, calls


def test_progress_names_the_phases_and_never_goes_back(recordings, monkeypatch):
    info, calls = _phases_of_a_real_training(
        recordings, monkeypatch, train_epochs=30, patience=2, final_fit="refit", min_best_epoch=0
    )
    assert info["stopped_early"] and info["refit_epochs"] == info["best_epoch"]
    phases = [c.phase for c in calls]
    assert phases[0] == "preparing" and calls[0].fraction == 0.0
    order = [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p]
    assert order == ["preparing", "validating", "final_fit"]
    fractions = [c.fraction for c in calls]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    within = [c for c in calls if c.phase == "validating" and not c.epoch_end]
    assert within and within[0].epoch == 0 and 0 < within[0].batch <= within[0].batches
    validated = [c for c in calls if c.phase == "validating" and c.epoch_end]
    assert validated[-1].message == (
        f"validating {info['epochs_run']}/30 — best epoch {info['best_epoch']}"
    )
    switch = next(c for c in calls if c.phase == "final_fit")
    assert switch.epoch == 0 and switch.phase_epochs == info["best_epoch"]
    assert switch.message.startswith(f"final fit 0/{info['best_epoch']} (validation stopped")
    assert switch.fraction > validated[-1].fraction  # re-planned forwards, saying why
    last = calls[-1]
    assert last.message.startswith(f"final fit {info['best_epoch']}/{info['best_epoch']}")
    counters = [(c.phase, c.epoch) for c in calls if c.phase != "preparing"]
    for phase in ("validating", "final_fit"):
        epochs = [e for p, e in counters if p == phase]
        assert epochs == sorted(epochs)


def test_progress_without_validation_data_is_one_training_phase(monkeypatch):
    single = [synthetic_recording("only", 60, seed=0)]  # too short to hold a tail out
    monkeypatch.setattr(progress_module, "REPORT_INTERVAL_S", 0.0)
    calls = []
    train(single, ["A", "B"], tiny_config(train_epochs=2), progress=calls.append)
    assert {c.phase for c in calls} == {"preparing", "training"}
    assert calls[-1].message.startswith("training 2/2") and calls[-1].fraction == 1.0


@pytest.mark.parametrize("kind", ["event", "callable"])
def test_cancel_stops_training_promptly(recordings, kind):
    event = threading.Event()
    epochs = []

    def progress(report):
        if report.epoch_end:
            epochs.append(report.global_epoch)
            event.set()

    check = event if kind == "event" else event.is_set
    with pytest.raises(TrainingCancelled):
        train(
            recordings,
            ["A", "B"],
            tiny_config(train_epochs=50),
            progress=progress,
            should_cancel=check,
        )
    assert epochs == [1]


def _sparse_events(rows=2000, every=200):
    """One recording of background with a one-row event (class 1) every `every` rows and a
    10-row range (class 2) at the start."""
    labels = np.zeros(rows, dtype=np.int64)
    labels[every // 2 :: every] = 1
    labels[5:15] = 2
    return _stack_for_windows([_Part("r", np.zeros((rows, 1), np.float32), labels)], 20)


def test_background_windows_are_drawn_at_the_configured_share():
    _, labels, bases, lengths = _sparse_events()
    labeled = _labeled_rows(labels)

    def has_label(starts):
        return labeled[starts + 20] - labeled[starts] > 0

    rng = np.random.default_rng(0)
    all_windows = TrainingConfig(sequence_size=20, background_window_share=1.0)
    every = _epoch_windows(bases, lengths, rng, all_windows, labeled)
    config = TrainingConfig(sequence_size=20, background_window_share=0.25)
    epochs = [_epoch_windows(bases, lengths, rng, config, labeled) for _ in range(200)]
    # every window with a labeled row is kept (their count moves a little with the phase)...
    assert min(has_label(s).sum() for s in epochs) >= has_label(every).sum() - 2
    # ...and about a quarter of the others
    background = np.mean([(~has_label(s)).sum() for s in epochs])
    assert abs(background / (~has_label(every)).sum() - 0.25) < 0.03


def test_sampled_class_weights_keep_each_class_share_of_the_loss():
    """Weight x rows drawn per epoch is the same for every class, as with every window."""
    _, labels, bases, lengths = _sparse_events()
    config = TrainingConfig(sequence_size=20, background_window_share=0.25)
    labeled, rng, drawn = _labeled_rows(labels), np.random.default_rng(0), np.zeros(3)
    weights = sampled_class_weights(labels, labeled, bases, lengths, config, 3)
    for _ in range(300):
        starts = _epoch_windows(bases, lengths, rng, config, labeled)
        rows = (starts[:, None] + np.arange(20)).ravel()
        drawn += np.bincount(labels[rows], minlength=3)
    mass = weights * drawn
    assert np.allclose(mass / mass.mean(), 1.0, atol=0.05)
    # the background is drawn less, so it weighs more against the events than with every window
    every = class_weights(labels, 3)
    assert weights[0] / weights[1] > 2 * every[0] / every[1]


def test_training_with_a_background_share_is_reproducible(recordings):
    config = tiny_config(background_window_share=0.3)
    first = train(recordings, ["A", "B"], config)
    second = train(recordings, ["A", "B"], config)
    assert torch.equal(first.model.fc_output.weight, second.model.fc_output.weight)
    full = train(recordings, ["A", "B"], tiny_config(background_window_share=1.0))
    assert first.training["window_passes"]["train"] < full.training["window_passes"]["train"]


def test_class_weights_are_inverse_row_frequency():
    labels = np.array([0] * 80 + [1] * 15 + [2] * 5 + [-1] * 10)
    weights = class_weights(labels, 4)
    assert weights[3] == 0
    assert np.allclose(weights[:3], [100 / (3 * 80), 100 / (3 * 15), 100 / (3 * 5)])


def test_normalisation_is_folded_into_the_first_layer():
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 5)
    mean, std = np.array([1.0, -2.0, 10.0]), np.array([0.5, 2.0, 4.0])
    state = {"fc_input.weight": layer.weight.detach(), "fc_input.bias": layer.bias.detach()}
    folded = fold_normalization(state, mean, std)
    x = torch.randn(7, 3)
    expected = layer((x - torch.tensor(mean).float()) / torch.tensor(std).float())
    got = x @ folded["fc_input.weight"].T + folded["fc_input.bias"]
    assert torch.allclose(got, expected, atol=1e-5)


def _part_of(values):
    return _Part("r", np.asarray(values, dtype=np.float32), np.zeros(len(values), np.int64))


def test_gaussian_inputs_keep_their_standard_deviation():
    values = np.random.default_rng(0).normal([1.0, -3.0], [2.0, 2.0], size=(20_000, 2))
    mean, std = input_normalization([_part_of(values)], "global", 4.0)
    assert np.allclose(mean, [1.0, -3.0], atol=0.05)
    assert np.allclose(std, 2.0, atol=0.05)  # 99.9th percentile: 3.3 std, under the limit


def test_spiky_inputs_get_a_wider_scale_that_keeps_their_peaks_small():
    """1 % of rows hold spikes of 15 std: after scaling, 99.9 % of |values| are within 4."""
    rng = np.random.default_rng(0)
    values = rng.normal(0.0, 1.0, size=(20_000, 3))
    values[rng.choice(20_000, 200, replace=False), 2] += 15.0
    plain_mean, plain_std = input_normalization([_part_of(values)], "global", None)
    mean, std = input_normalization([_part_of(values)], "global", 4.0)
    assert np.array_equal(mean, plain_mean)
    assert std[0] > 2 * plain_std[0] and np.allclose(std, std[0])
    scaled = np.abs((values - mean) / std)
    assert np.percentile(scaled, 99.9) == pytest.approx(4.0, rel=1e-6)


def test_no_scaling_ignores_the_peak_limit():
    values = np.full((100, 2), 7.0)
    values[3] = 1000.0
    mean, std = input_normalization([_part_of(values)], "none", 4.0)
    assert np.array_equal(mean, [0, 0]) and np.array_equal(std, [1, 1])


def test_raw_values_go_into_a_trained_checkpoint(recordings):
    """Training standardises internally; the saved model takes raw values."""
    shifted = [Recording(r.name, r.values * 100 + 5000, r.regions) for r in recordings]
    segmenter = train(shifted, ["A", "B"], tiny_config(train_epochs=2))
    assert segmenter.contents.normalization.folded
    assert abs(segmenter.contents.normalization.mean[0] - 5000) < 100


@pytest.mark.parametrize(
    "recordings, labels, fragment",
    [
        ([], ["A"], "no recordings"),
        ([Recording("r", np.zeros((50, 2)), [])], ["A"], "no labeled region"),
        ([Recording("r", np.zeros((50, 2)), [Region("A", 1, 5)])], ["A", "A"], "unique"),
        (
            [Recording("r", np.zeros((50, 2)), []), Recording("s", np.zeros((50, 3)), [])],
            ["A"],
            "channel counts",
        ),
    ],
)
def test_unusable_training_data(recordings, labels, fragment):
    with pytest.raises(TrainingDataError, match=fragment):
        train(recordings, labels, tiny_config())


def test_config_is_frozen_and_checked():
    config = TrainingConfig()
    with pytest.raises(AttributeError):
        config.train_epochs = 5
    with pytest.raises(ValueError):
        TrainingConfig(sequence_size=1)
    for share in (0.0, 1.5):
        with pytest.raises(ValueError, match="background_window_share"):
            TrainingConfig(background_window_share=share)
    for tolerance in (-0.1, 1.0):
        with pytest.raises(ValueError, match="f1_tolerance"):
            TrainingConfig(f1_tolerance=tolerance)
    for limit in (0.0, -1.0):
        with pytest.raises(ValueError, match="input_peak_limit"):
            TrainingConfig(input_peak_limit=limit)
    for threshold in (0.0, 1.2):
        with pytest.raises(ValueError, match="instant_threshold"):
            TrainingConfig(instant_threshold=threshold)


def test_training_record_counts_window_passes(recordings):
    """Training cost in window passes, independent of the machine's load: every epoch runs each
    training recording's windows once (step 10 from a random offset, plus one at the end), the
    refit the same on every recording; validation runs each validation recording forward."""
    config = tiny_config(train_epochs=3, sequence_size=20, background_window_share=1.0)
    segmenter = train(recordings, ["A", "B"], config)
    info, passes = segmenter.training, segmenter.training["window_passes"]
    rows = {r.name: r.n_rows for r in recordings}
    per_epoch = [(rows[name] - 20) // 10 + 1 for name in info["train_recordings"]]
    every = [(n - 20) // 10 + 1 for n in rows.values()]
    low = info["epochs_run"] * sum(per_epoch) + info["refit_epochs"] * sum(every)
    high = low + info["epochs_run"] * len(per_epoch) + info["refit_epochs"] * len(every)
    assert info["refit_epochs"] > 0
    assert low <= passes["train"] <= high
    assert passes["validation_forward"] >= info["epochs_run"] * len(info["validation_recordings"])


def test_epochs_before_the_floor_are_never_kept():
    """A validation set that is perfect from epoch 2 on must not keep epoch 2: the floor makes
    the best epoch the first eligible one, and the stop waits `patience` epochs after it."""
    stopper = _EarlyStop(TrainingConfig(patience=3, min_best_epoch=5))
    model = torch.nn.Linear(1, 1)
    stops = [
        stopper.update(epoch, _metrics(1.0, 1.0, 1.0, 0.5 if epoch == 2 else 1.0), model)
        for epoch in range(1, 9)
    ]
    assert stopper.best_epoch == 5
    assert stops == [False] * 7 + [True]


def test_the_floor_never_exceeds_the_epochs_there_are():
    stopper = _EarlyStop(TrainingConfig(train_epochs=3, patience=3, min_best_epoch=20))
    for epoch in (1, 2, 3):
        stopper.update(epoch, _metrics(1.0, 1.0, 1.0, 1.0 / epoch), torch.nn.Linear(1, 1))
    assert stopper.best_epoch == 3 and stopper.best_state is not None


def test_continue_trains_the_kept_network_on_every_recording(recordings, monkeypatch):
    info, calls = _phases_of_a_real_training(
        recordings, monkeypatch, train_epochs=12, patience=2, final_fit="continue"
    )
    assert info["refit_epochs"] == max(1, round(0.25 * info["best_epoch"]))
    final = [c for c in calls if c.phase == "final_fit"]
    assert final[0].phase_epochs == info["refit_epochs"]
    assert "goes on with all" in final[0].message
    fractions = [c.fraction for c in calls]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)


def _final_drift(recordings, monkeypatch, final_fit: str) -> float:
    """Largest weight change from the validated network to the delivered one."""
    seen = {}
    real_fit = train_module._fit

    def spying_fit(problem, train_parts, val_parts, epochs, **kwargs):
        fit = real_fit(problem, train_parts, val_parts, epochs, **kwargs)
        key = "validated" if val_parts else "final"
        seen[key] = {k: v.clone() for k, v in fit.model.state_dict().items()}
        return fit

    monkeypatch.setattr(train_module, "_fit", spying_fit)
    config = tiny_config(train_epochs=4, patience=2, final_fit=final_fit)
    train(recordings, ["A", "B"], config)
    return max(float((seen["final"][k] - seen["validated"][k]).abs().max()) for k in seen["final"])


def test_continue_starts_from_the_validated_weights(recordings, monkeypatch):
    """Continuing trains the validated network on; the refit starts a fresh one, far from it."""
    continued = _final_drift(recordings, monkeypatch, "continue")
    refitted = _final_drift(recordings, monkeypatch, "refit")
    assert 0 < continued < refitted / 3


def test_final_fit_choices_are_checked():
    with pytest.raises(ValueError, match="final_fit"):
        TrainingConfig(final_fit="restart")
    with pytest.raises(ValueError, match="min_best_epoch"):
        TrainingConfig(min_best_epoch=-1)
