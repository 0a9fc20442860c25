"""nn_core.lr_verdicts: each label against histories that do and do not qualify."""

import numpy as np

from nn_core import History, Network
from nn_core.comparison import compare
from nn_core.lr_verdicts import LABELS, definitions, judge_runs, rises


def h(losses, start=1.0, diverged_at=None):
    out = History(initial_loss=start, epoch_list=list(range(1, len(losses) + 1)),
                  loss_list=list(losses))
    if diverged_at is not None:
        out.diverged, out.stop_epoch = True, diverged_at
    return out


def labels(*histories):
    return [v.labels for v in judge_runs(histories)]


def test_diverged_is_nan_or_inf_and_nothing_else():
    (v,) = judge_runs([h([0.9, 0.8], diverged_at=3)])
    assert v.labels == ("diverged",) and "epoch 3" in v.evidence
    assert "diverged" not in labels(h([0.9, 5.0, 50.0, 500.0]))[0]  # huge but finite


def test_oscillates_needs_5_rises_of_over_1_percent_in_the_last_20_epochs():
    zigzag = [0.5, 0.6] * 10  # rises in 10 of the last 20 epochs
    assert "oscillates" in labels(h(zigzag))[0]
    four = list(np.linspace(0.9, 0.5, 20))
    for i in (3, 7, 11, 15):  # four rises only
        four[i] = four[i - 1] * 1.05
    assert rises(h(four)) == (4, 20)
    assert "oscillates" not in labels(h(four))[0]
    noisy = [0.5 * (1.005 if i % 2 else 1.0) for i in range(20)]  # rises of 0.5%: noise
    assert rises(h(noisy))[0] == 0
    # rises long ago, steady in the last 20 epochs: no longer oscillating
    settled = [0.5, 0.7] * 10 + list(np.linspace(0.4, 0.05, 20))
    assert "oscillates" not in labels(h(settled))[0]


def test_fastest_is_first_to_a_tenth_of_the_start_and_ties_share_it():
    quick, slow, never = h([0.5, 0.09, 0.05]), h([0.5, 0.2, 0.08]), h([0.9, 0.8, 0.7])
    assert labels(quick, slow, never) == [("fastest",), ("reached target",), ("too slow",)]
    twin = h([0.5, 0.1, 0.05])  # exactly the target, same epoch: a tie
    assert labels(quick, twin) == [("fastest",), ("fastest",)]
    assert labels(slow) == [("fastest",)]  # alone, the only run to reach it is first
    # the label is earned from the history, never from the final value alone
    assert labels(h([0.2, 0.11, 0.101])) == [("improving",)]


def test_too_slow_and_improving_split_at_half_the_starting_loss():
    assert labels(h([0.9, 0.7, 0.51])) == [("too slow",)]
    assert labels(h([0.9, 0.7, 0.5])) == [("improving",)]
    # a run that rises and falls without progress is oscillating, not "too slow"
    assert labels(h([1.2, 0.9] * 10)) == [("oscillates",)]


def test_the_lowest_final_loss_can_also_oscillate_and_both_are_said():
    bouncing = h([0.5, 0.05, 0.08, 0.03, 0.06, 0.02, 0.04, 0.01, 0.03, 0.008, 0.02])
    smooth = h(list(np.linspace(0.9, 0.2, 11)))
    v = judge_runs([bouncing, smooth])
    assert v[0].labels == ("oscillates", "fastest") and v[0].text == "oscillates, fastest"
    assert v[1].labels == ("improving",)


def test_definitions_carry_this_comparisons_numbers():
    d = definitions(2.0)
    assert set(d) == set(LABELS)
    assert "(0.2)" in d["fastest"] and "(1)" in d["too slow"]
    assert "5 of the last 20 epochs" in d["oscillates"] and "1%" in d["oscillates"]


def test_compare_labels_the_tutorial_runs_by_these_rules():
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = Network([3, 4, 1], "sigmoid", init="uniform", seed=0, use_bias=False)
    runs = compare(net, X, y, "lr", [0.001, 1.0, 10.0], epochs=300, loss="sse")
    got = {r.value: r.labels for r in runs}
    assert got[0.001] == ("too slow",)
    for r in runs:
        assert r.verdict == ", ".join(r.labels)
        expected = judge_runs([x.history for x in runs])[runs.index(r)]
        assert r.labels == expected.labels
    # whoever ends lowest is never called too slow
    lowest = min(runs, key=lambda r: r.history.loss[-1])
    assert "too slow" not in lowest.labels
