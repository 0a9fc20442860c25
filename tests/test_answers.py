"""The activation answer (nn_core.answers): verdicts and sentences from measured numbers."""

import math

import numpy as np

from nn_core import Network
from nn_core.activation_study import train_activations
from nn_core.answers import (
    Measured,
    accuracy_groups,
    agreement,
    answer,
    evidence,
    loss_groups,
    measure,
    rank,
    speed_groups,
    verdict,
)


def m(name, losses, acc=None, hits=None, diverged=0, seeds=None):
    acc = acc if acc is not None else [1.0] * len(losses)
    hits = hits if hits is not None else [10] * len(losses)
    return Measured(name, seeds or len(losses) + diverged, tuple(losses), tuple(acc),
                    tuple(hits), diverged)


def test_rank_groups_overlapping_ranges_and_splits_separate_ones():
    items = [("a", 1.0, 0.9, 1.1), ("b", 1.05, 1.0, 1.2), ("c", 3.0, 2.9, 3.1)]
    assert rank(items) == [["a", "b"], ["c"]]
    assert rank(items, lower_is_better=False) == [["c"], ["b", "a"]]
    # groups anchor on the best: b overlaps a and c, but c does not overlap a
    assert rank([("a", 1, 0, 2), ("b", 2.5, 1.5, 3.5), ("c", 4, 3, 5)]) == [["a", "b"], ["c"]]
    # a wide-spread activation does not glue the best to the worst
    wide = [("best", 0.001, 0.0009, 0.0011), ("wide", 1.0, 0.002, 1.0), ("bad", 0.05, 0.04, 0.08)]
    assert rank(wide) == [["best"], ["bad", "wide"]]
    assert rank([("a", math.nan, math.nan, math.nan), ("b", 1, 1, 1)]) == [["b"]]


def test_exact_ties_are_never_named_as_a_single_best():
    ms = [m("tanh", [0.01] * 5, acc=[1.0] * 5), m("relu", [0.01] * 5, acc=[1.0] * 5),
          m("sigmoid", [0.2] * 5, acc=[0.5] * 5)]
    assert loss_groups(ms) == [["relu", "tanh"], ["sigmoid"]]
    text = verdict(ms)
    assert "indistinguishable from each other: **relu and tanh**" in text
    assert "measurably worse: sigmoid" in text and "Best here: **" not in text
    acc = [s for s in evidence(ms, 0.05) if s.startswith("Test accuracy")][0]
    assert "tied, relu and tanh" in acc and "highest relu (" not in acc


def test_all_equal_results_say_none_is_better():
    ms = [m(n, [0.0] * 5, acc=[1.0] * 5, hits=[0] * 5) for n in ("sigmoid", "tanh", "relu")]
    text = verdict(ms)
    assert text.startswith("No activation is measurably better here")
    ev = " ".join(evidence(ms, 0.1))
    assert "Test accuracy: indistinguishable (all at 100%)" in ev
    assert "relu, sigmoid and tanh started at or below the loss target 0.1 (epoch 0)" in ev
    assert "first" not in ev  # no single fastest among ties
    ms = [m(n, [0.01] * 3, hits=[20, 30, 25]) for n in ("sigmoid", "tanh")]
    ev = " ".join(evidence(ms, 0.1))
    assert "Speed: indistinguishable; every activation reached the loss target 0.1" in ev
    ms.append(m("linear", [0.01] * 3, hits=[90, 95, 99]))
    assert "indistinguishable from each other: sigmoid and tanh (median epoch 25)" in " ".join(
        evidence(ms, 0.1))


def test_a_clear_winner_is_named_with_its_numbers():
    ms = [m("relu", [0.010, 0.012, 0.011]), m("tanh", [0.05, 0.06, 0.055]),
          m("sigmoid", [0.25, 0.25, 0.25])]
    text = verdict(ms)
    assert text.startswith("Best here: **relu** (final test loss 0.011, range 0.01–0.012, median of 3 seeds)")
    assert ("measurably worse: tanh and sigmoid; the worst was sigmoid, with a median final "
            "test loss of 0.25.") in text


def test_a_diverged_run_is_reported_and_not_ranked():
    ms = [m("relu", [0.01] * 4, diverged=1), m("tanh", [0.05] * 5), m("sigmoid", [0.2] * 5)]
    assert loss_groups(ms) == [["tanh"], ["sigmoid"]]
    assert "relu" not in verdict(ms)
    ev = evidence(ms, 0.1)
    assert any(s.startswith("relu diverged in 1 of 5 seeds") and "not ranked" in s for s in ev)
    everything = [m("relu", [], diverged=5), m("tanh", [], diverged=5)]
    assert "No activation can be ranked" in verdict(everything)


def test_a_single_activation_has_nothing_to_compare():
    text = verdict([m("sigmoid", [0.1, 0.2, 0.3])])
    assert text.startswith("Only sigmoid was trained, so there is nothing to compare")
    assert "0.2, range 0.1–0.3" in text
    assert "cannot test the advice" in agreement([m("sigmoid", [0.1])], 1)


def test_numbers_that_disagree_with_the_advice_are_said_to_disagree():
    # sigmoid as good as tanh and relu on a one-hidden-layer net: the advice is not borne out
    ms = [m("sigmoid", [0.01, 0.02]), m("tanh", [0.015, 0.03]), m("relu", [0.012, 0.02])]
    text = agreement(ms, hidden_layers=1)
    assert "did not bear the advice out" in text and "only one hidden layer" in text
    # sigmoid best of all, alone
    ms = [m("sigmoid", [0.001, 0.002]), m("tanh", [0.05, 0.06])]
    assert verdict(ms).startswith("Best here: **sigmoid**")
    assert "did not bear the advice out: sigmoid is among the best" in agreement(ms, 1)
    # and the agreeing case
    ms = [m("sigmoid", [0.25, 0.25]), m("tanh", [0.01, 0.02]), m("relu", [0.01, 0.03])]
    assert agreement(ms, 6) == ("This data agreed with the advice: sigmoid ended measurably "
                                "worse than relu and tanh.")


def test_speed_groups_skip_activations_that_mostly_never_reach_the_target():
    ms = [m("relu", [0.01] * 3, hits=[10, 12, 11]), m("tanh", [0.01] * 3, hits=[40, 45, 50]),
          m("sigmoid", [0.01] * 3, hits=[None, None, 90])]
    assert speed_groups(ms) == [["relu"], ["tanh"]]
    ev = evidence(ms, 0.05)
    assert "Speed: relu reached the loss target 0.05 first (median epoch 11)." in ev
    assert "Did not reach the target in most seeds: sigmoid." in ev


def test_accuracy_groups_prefer_higher():
    ms = [m("a", [0.1] * 3, acc=[0.9, 0.91, 0.92]), m("b", [0.1] * 3, acc=[0.5, 0.5, 0.6])]
    assert accuracy_groups(ms) == [["a"], ["b"]]


def test_measure_reads_real_runs_and_the_answer_matches_its_table():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    nets = [Network([2, 6, 1], ["tanh", "sigmoid"], seed=s) for s in range(3)]
    names = ["sigmoid"] * 3 + ["tanh"] * 3 + ["relu"] * 3
    runs = train_activations(nets * 3, X, y, names, 20, lr=0.5, loss="mse", X_test=X,
                             y_test=y)
    # each seed's run started from its own net
    for r, run in enumerate(runs):
        np.testing.assert_array_equal(run.history.snapshots[0].weights[0], nets[r % 3].weights[0])
    ms = measure(runs, target=0.2)
    assert [x.name for x in ms] == ["sigmoid", "tanh", "relu"]
    assert all(x.seeds == 3 and len(x.final_loss) == 3 for x in ms)
    tanh = [r for r in runs if r.name == "tanh"]
    assert ms[1].final_loss == tuple(float(r.history.test_loss[-1]) for r in tanh)
    out = answer(ms, 0.2, hidden_layers=1)
    assert set(out) == {"verdict", "evidence", "advice", "agreement"}
    assert "sigmoid's slope is at most 0.25" in out["advice"][0]


def test_deep_example_sentences_follow_the_numbers():
    from nn_core.answers import deep_example

    ms = [m("sigmoid", [0.25] * 5, acc=[0.5] * 5), m("relu", [0.001] * 5), m("tanh", [0.002] * 5)]
    out = deep_example(ms, {"sigmoid": 190.0, "relu": 2.7, "tanh": 2.8}, 200)
    assert out[0].startswith("After 200 epochs from the same initial weights, sigmoid ended "
                             "clearly worse than the best (relu)")
    assert "test accuracy 50% against 100%" in out[0]
    assert "190 times smaller than its output layer's (at least 10 times smaller" in out[1]
    assert "relu 2.7x, tanh 2.8x" in out[1]
    # sigmoid tied with the best: never claimed worse; small ratio: never claimed vanishing
    ms = [m("sigmoid", [0.01, 0.02]), m("relu", [0.012, 0.015])]
    out = deep_example(ms, {"sigmoid": 3.0, "relu": 2.0}, 50)
    assert "not measurably worse" in out[0] and "less than 10 times smaller" in out[1]


def test_from_five_seeds_one_outlier_does_not_make_two_activations_alike():
    from nn_core.answers import range_words, spread

    assert spread([0.1, 0.2, 0.3, 0.4, 9.0]) == (0.3, 0.2, 0.4)
    assert spread([0.1, 0.2, 0.3]) == (0.2, 0.1, 0.3)
    ms = [m("relu", [0.001, 0.001, 0.002, 1.0, 1.0]), m("tanh", [0.01] * 5)]
    assert any(s.startswith("Depends on the start: relu") for s in evidence(ms, 0.1))
    # relu fails in one seed of five; it is still measurably better than sigmoid
    ms = [m("relu", [0.001, 0.002, 0.002, 0.003, 0.3]), m("sigmoid", [0.2, 0.21, 0.22, 0.23, 0.24])]
    assert loss_groups(ms) == [["relu"], ["sigmoid"]]
    assert "middle 3 of the 5 seeds" in range_words(5)


def test_one_seed_claims_no_more_than_one_run():
    text = verdict([m("sigmoid", [0.03]), m("tanh", [0.04])])
    assert "worse in this one run: tanh" in text and "measurably" not in text
    assert "other initial weights may order them differently" in text


def test_the_worst_is_named_with_its_median_and_range_in_words():
    ms = [m("tanh", [0.010, 0.011, 0.012, 0.011, 0.010]),
          m("sigmoid", [0.3] * 5), m("relu", [0.0009, 0.9, 1.0, 1.0, 1.0])]
    text = verdict(ms)
    # the middle three of five seeds: 0.9-1, median 1 (not "relu: 1, range ...")
    assert text.endswith("; the worst was relu, with a median final test loss of 1 "
                         "(range 0.9–1).")
    one_seed = verdict([m("tanh", [0.01]), m("sigmoid", [0.3]), m("relu", [0.5])])
    assert "the worst was relu, with a final test loss of 0.5. With one start only" in one_seed
    # one worse activation is not named twice
    two = verdict([m("tanh", [0.01] * 3), m("sigmoid", [0.3] * 3)])
    assert two.endswith("; measurably worse: sigmoid, with a median final test loss of 0.3.")
