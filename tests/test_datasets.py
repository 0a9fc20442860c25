"""Tests for nn_core.datasets: generators checked against their geometric rules, CSV checked
against hand-written files (good and every kind of bad)."""

import math

import numpy as np
import pytest

from nn_core.datasets import (
    CLASSIFICATION_SETS,
    DATASET_NAMES,
    FEATURE_LABELS,
    FEATURES,
    REGRESSION_SETS,
    Dataset,
    DatasetError,
    dataset_to_csv,
    feature_matrix,
    load_csv,
    make_dataset,
    with_features,
)

GENERATED = [n for n in DATASET_NAMES if n != "tutorial_xor"]
BINARY = ["circle", "xor", "gaussian", "spiral", "moons"]


def test_name_lists_are_consistent():
    assert set(DATASET_NAMES) == set(CLASSIFICATION_SETS) | set(REGRESSION_SETS)
    assert not set(CLASSIFICATION_SETS) & set(REGRESSION_SETS)
    assert set(DATASET_NAMES) == {"tutorial_xor", "circle", "xor", "gaussian", "spiral", "moons",
                                  "three_class", "plane", "sine"}


# ---- make_dataset: determinism, shapes, splits ----


@pytest.mark.parametrize("name", GENERATED)
def test_same_arguments_give_identical_arrays(name):
    a = make_dataset(name, n_points=150, noise=0.2, seed=7)
    b = make_dataset(name, n_points=150, noise=0.2, seed=7)
    for attr in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    c = make_dataset(name, n_points=150, noise=0.2, seed=8)
    assert not np.array_equal(a.X_all, c.X_all)


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("n_points,ratio", [(200, 0.5), (101, 0.7), (2, 0.1), (2, 0.9), (37, 0.3)])
def test_shapes_dtypes_and_split(name, n_points, ratio):
    ds = make_dataset(name, n_points=n_points, train_ratio=ratio)
    n_train, n_test = len(ds.X_train), len(ds.X_test)
    assert n_train + n_test == n_points
    assert n_train >= 1 and n_test >= 1
    assert n_train == min(max(math.floor(n_points * ratio), 1), n_points - 1)
    k = 3 if name == "three_class" else 1
    assert ds.X_train.shape == (n_train, 2) and ds.X_test.shape == (n_test, 2)
    assert ds.y_train.shape == (n_train, k) and ds.y_test.shape == (n_test, k)
    for arr in (ds.X_train, ds.y_train, ds.X_test, ds.y_test):
        assert arr.dtype == np.float64
    assert ds.feature_names == ["x1", "x2"]
    assert ds.name == name
    assert ds.task == ("regression" if name in REGRESSION_SETS else "classification")
    assert ds.n_classes == {"three_class": 3, "plane": 1, "sine": 1}.get(name, 2)
    np.testing.assert_array_equal(ds.X_all, np.vstack([ds.X_train, ds.X_test]))
    np.testing.assert_array_equal(ds.y_all, np.vstack([ds.y_train, ds.y_test]))


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_points_stay_in_the_domain(name, noise):
    ds = make_dataset(name, n_points=2000, noise=noise, seed=3)
    assert np.all(np.abs(ds.X_all) <= 6.0)
    assert np.all(np.isfinite(ds.y_all))


@pytest.mark.parametrize("name", ["gaussian", "spiral", "moons"])
def test_binary_sets_have_balanced_labels(name):
    for n in (200, 201):
        labels = make_dataset(name, n_points=n, noise=0.3).y_all[:, 0]
        assert set(np.unique(labels)) == {0.0, 1.0}
        assert labels.sum() in (n // 2, n - n // 2)


@pytest.mark.parametrize("name", BINARY)
def test_rows_are_shuffled_before_the_split(name):
    ds = make_dataset(name, n_points=400, noise=0.0)
    for labels in (ds.labels_train, ds.labels_test):
        assert 0.3 < labels.mean() < 0.7  # both classes on both sides of the split
    assert np.any(np.diff(ds.labels_train) != 0) and np.sum(np.diff(ds.labels_train) != 0) > 20


def test_circle_labels_follow_the_radius():
    ds = make_dataset("circle", n_points=1000, noise=0.0, seed=1)
    r = np.hypot(ds.X_all[:, 0], ds.X_all[:, 1])
    label = ds.y_all[:, 0]
    assert np.all(r[label == 1] < 2.5)
    assert np.all((r[label == 0] >= 3.5) & (r[label == 0] <= 5.0))
    assert label.sum() == 500
    # Noise moves the point the label is computed from, not the stored point (as in TF).
    noisy = make_dataset("circle", n_points=1000, noise=0.5, seed=1)
    r = np.hypot(noisy.X_all[:, 0], noisy.X_all[:, 1])
    assert np.all((r < 2.5) | ((r >= 3.5) & (r <= 5.0)))
    assert np.any((r < 2.5) != (noisy.y_all[:, 0] == 1))


def test_noisy_labels_match_an_independent_simulation_of_tf():
    # TF's recipe, simulated here with its own generator: label from the point plus U(-5, 5) * noise.
    rng, n, noise = np.random.default_rng(123), 100_000, 0.4
    r = np.concatenate([rng.uniform(3.5, 5, n), rng.uniform(0, 2.5, n)])
    angle = rng.uniform(0, 2 * np.pi, 2 * n)
    p = np.column_stack([r * np.sin(angle), r * np.cos(angle)]) + rng.uniform(-5, 5, (2 * n, 2)) * noise
    circle_ones = np.mean(np.hypot(p[:, 0], p[:, 1]) < 2.5)
    q = rng.uniform(-5, 5, (2 * n, 2))
    q += np.where(q > 0, 0.3, -0.3)
    flips = np.mean((q[:, 0] * q[:, 1] >= 0) != ((q + rng.uniform(-5, 5, q.shape) * noise).prod(axis=1) >= 0))
    circle = make_dataset("circle", n_points=5000, noise=noise, seed=11)
    assert abs(circle.y_all.mean() - circle_ones) < 0.02
    xor = make_dataset("xor", n_points=5000, noise=noise, seed=11)
    x, y = xor.X_all[:, 0], xor.X_all[:, 1]
    assert abs(np.mean(xor.y_all[:, 0] != (x * y >= 0)) - flips) < 0.02


def test_xor_labels_follow_the_quadrant():
    ds = make_dataset("xor", n_points=1000, noise=0.0, seed=2)
    x, y = ds.X_all[:, 0], ds.X_all[:, 1]
    np.testing.assert_array_equal(ds.y_all[:, 0], (x * y >= 0).astype(float))
    assert np.all((np.abs(x) >= 0.3) & (np.abs(x) <= 5.3) & (np.abs(y) >= 0.3) & (np.abs(y) <= 5.3))
    noisy = make_dataset("xor", n_points=1000, noise=0.5, seed=2)
    x, y = noisy.X_all[:, 0], noisy.X_all[:, 1]
    assert np.any(noisy.y_all[:, 0] != (x * y >= 0))


def test_gaussian_centres_and_spread():
    ds = make_dataset("gaussian", n_points=4000, noise=0.0, seed=4)
    X, label = ds.X_all, ds.labels_train.tolist() + ds.labels_test.tolist()
    label = np.array(label)
    np.testing.assert_allclose(X[label == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[label == 0].mean(axis=0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(X[label == 1].std(axis=0), math.sqrt(0.5), rtol=0.08)
    # TF: variance = lerp(0.5, 4, noise / 0.5); at noise 0.25 that is 2.25, std 1.5.
    wide = make_dataset("gaussian", n_points=4000, noise=0.25, seed=4)
    np.testing.assert_allclose(wide.X_all[wide.y_all[:, 0] == 0].std(axis=0), 1.5, rtol=0.04)


def test_spiral_points_lie_on_two_opposite_arms():
    ds = make_dataset("spiral", n_points=400, noise=0.0)
    x, y = ds.X_all[:, 0], ds.X_all[:, 1]
    r = np.hypot(x, y)
    assert r.max() < 5.0
    theta = np.arctan2(x, y)  # TF puts x = r sin t, y = r cos t
    expected = 1.75 * 2 * np.pi * r / 5 + np.where(ds.y_all[:, 0] == 1, 0.0, np.pi)
    diff = np.angle(np.exp(1j * (theta - expected)))  # wrap to (-pi, pi]
    assert np.all(np.abs(diff[r > 1e-9]) < 1e-9)
    # With noise each point moves by at most noise in x and in y from its clean arm position.
    noise = 0.4
    noisy = make_dataset("spiral", n_points=400, noise=noise)
    for label, delta in ((1, 0.0), (0, np.pi)):
        i = np.arange(200)
        t = 1.75 * i / 200 * 2 * np.pi + delta
        clean = np.column_stack([i / 200 * 5 * np.sin(t), i / 200 * 5 * np.cos(t)])
        pts = noisy.X_all[noisy.y_all[:, 0] == label]
        gap = np.abs(pts[:, None, :] - clean[None, :, :]).max(axis=2).min(axis=1)
        assert gap.max() <= noise and gap.mean() > noise / 10


def test_moons_are_two_separate_arcs_without_noise():
    ds = make_dataset("moons", n_points=600, noise=0.0)
    X, label = ds.X_all, ds.y_all[:, 0]
    upper = X[label == 0] / 3.5 + [0.5, 0.25]  # undo the stretch: back to unit moons
    lower = X[label == 1] / 3.5 + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    noisy = make_dataset("moons", n_points=600, noise=0.1)
    upper = noisy.X_all[noisy.y_all[:, 0] == 0] / 3.5 + [0.5, 0.25]
    # make_moons-style noise: Gaussian with std 0.1 per coordinate, so radii spread by about 0.1.
    assert 0.07 < np.std(np.hypot(upper[:, 0], upper[:, 1])) < 0.13


def test_three_class_is_one_hot_with_three_blobs():
    ds = make_dataset("three_class", n_points=300, noise=0.0)
    y = ds.y_all
    assert set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_array_equal(y.sum(axis=1), 1.0)
    np.testing.assert_array_equal(y.sum(axis=0), [100, 100, 100])
    np.testing.assert_array_equal(ds.labels_train, ds.y_train.argmax(axis=1))
    means = np.array([ds.X_all[y[:, c] == 1].mean(axis=0) for c in range(3)])
    np.testing.assert_allclose(np.hypot(means[:, 0], means[:, 1]), 3.5, atol=0.3)
    dists = [np.linalg.norm(means[i] - means[j]) for i, j in [(0, 1), (1, 2), (0, 2)]]
    assert min(dists) > 5.0  # three well separated centres


def test_regression_targets():
    plane = make_dataset("plane", n_points=500, noise=0.0)
    x = plane.X_all
    np.testing.assert_allclose(plane.y_all[:, 0], np.clip((x[:, 0] + x[:, 1]) / 10, -1, 1))
    sine = make_dataset("sine", n_points=500, noise=0.0)
    np.testing.assert_allclose(sine.y_all[:, 0], [math.sin(v) for v in sine.X_all[:, 0]])
    for name in REGRESSION_SETS:
        noisy = make_dataset(name, n_points=500, noise=0.3)
        assert np.all(np.abs(noisy.y_all) <= 1.0)
        with pytest.raises(DatasetError, match="regression"):
            _ = noisy.labels_train
    noisy = make_dataset("plane", n_points=500, noise=0.3)
    x = noisy.X_all
    assert not np.allclose(noisy.y_all[:, 0], np.clip((x[:, 0] + x[:, 1]) / 10, -1, 1))
    noisy = make_dataset("sine", n_points=500, noise=0.3)
    assert not np.allclose(noisy.y_all[:, 0], np.sin(noisy.X_all[:, 0]))


def test_tutorial_xor_is_the_tutorials_table():
    ds = make_dataset("tutorial_xor", n_points=999, noise=0.5, seed=5)
    X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    np.testing.assert_array_equal(ds.X_train, X)
    np.testing.assert_array_equal(ds.y_train, [[0], [1], [1], [0]])
    np.testing.assert_array_equal(ds.X_test, X)
    np.testing.assert_array_equal(ds.y_test, [[0], [1], [1], [0]])
    assert ds.X_train.dtype == np.float64
    assert ds.feature_names == ["x1", "x2", "bias (1)"]
    assert ds.task == "classification" and ds.n_classes == 2
    assert ds.X_all.shape == (4, 3) and ds.y_all.shape == (4, 1)
    assert ds.labels_test.tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("kwargs,word", [
    (dict(name="moon"), "circle"),
    (dict(name="circle", n_points=1), "n_points"),
    (dict(name="circle", n_points=5001), "5000"),
    (dict(name="circle", n_points=10.5), "whole number"),
    (dict(name="circle", n_points=True), "n_points"),
    (dict(name="circle", noise=-0.1), "noise"),
    (dict(name="circle", noise=0.6), "0.5"),
    (dict(name="circle", noise=float("nan")), "noise"),
    (dict(name="circle", noise="0.1"), "noise"),
    (dict(name="circle", train_ratio=0.05), "0.1"),
    (dict(name="circle", train_ratio=0.95), "0.9"),
    (dict(name="circle", seed=-1), "seed"),
])
def test_bad_arguments_are_rejected(kwargs, word):
    with pytest.raises(DatasetError, match=word) as info:
        make_dataset(**kwargs)
    assert isinstance(info.value, ValueError)


def test_boundary_arguments_are_accepted():
    assert len(make_dataset("xor", n_points=5000, noise=0.5, train_ratio=0.9).X_all) == 5000
    assert len(make_dataset("xor", n_points=np.int64(2), train_ratio=0.1).X_all) == 2


# ---- features ----


def test_feature_matrix_values():
    pts = np.array([[2.0, -3.0], [0.5, 1.5], [0.0, 0.0]])
    got = feature_matrix(pts, list(FEATURES))
    assert got.shape == (3, 7)
    for row, (a, b) in zip(got, pts):
        expected = [a, b, a * a, b * b, a * b, math.sin(a), math.sin(b)]
        np.testing.assert_allclose(row, expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(feature_matrix(pts, ["x1*x2", "x1"]), [[-6, 2], [0.75, 0.5], [0, 0]])
    assert feature_matrix([1.0, 2.0], ["x2^2"]).shape == (1, 1)
    assert set(FEATURE_LABELS) == set(FEATURES)


@pytest.mark.parametrize("names", [["x3"], ["x1", "cos_x1"], []])
def test_unknown_feature_rejected(names):
    with pytest.raises(DatasetError, match="x1\\^2"):  # the message lists what is allowed
        feature_matrix(np.zeros((2, 2)), names)


def test_feature_matrix_needs_2d_points():
    with pytest.raises(DatasetError, match="shape"):
        feature_matrix(np.zeros((4, 3)), ["x1"])


def test_with_features():
    ds = make_dataset("circle", n_points=50)
    names = ["x1^2", "x2^2", "sin_x1"]
    fd = with_features(ds, names)
    assert fd.feature_names == names and fd.X_train.shape == (len(ds.X_train), 3)
    np.testing.assert_allclose(fd.X_train[:, 0], ds.X_train[:, 0] ** 2)
    np.testing.assert_allclose(fd.X_test[:, 2], np.sin(ds.X_test[:, 0]))
    np.testing.assert_array_equal(fd.y_train, ds.y_train)
    assert ds.X_train.shape[1] == 2 and ds.feature_names == ["x1", "x2"]  # original untouched
    # Reordering still finds the raw columns; a set without them cannot be featurised again.
    again = with_features(with_features(ds, ["x2", "x1"]), ["x1*x2"])
    np.testing.assert_allclose(again.X_test[:, 0], ds.X_test[:, 0] * ds.X_test[:, 1])
    with pytest.raises(DatasetError, match="x1 and x2"):
        with_features(fd, ["x1"])


def test_with_features_passes_tutorial_and_csv_through():
    tut = make_dataset("tutorial_xor")
    assert with_features(tut, ["x1^2"]) is tut
    up = load_csv("a,b,label\n1,2,0\n3,4,1\n5,6,1\n")
    assert with_features(up, ["sin_x1"]) is up


# ---- CSV ----

GOOD = "x1,x2,label\n0.5,1.5,0\n-1,2,1\n3,-4.25,1\n2e-1,0,0\n"


def test_good_csv_with_header_loads():
    ds = load_csv(GOOD.encode())
    assert isinstance(ds, Dataset)
    assert ds.feature_names == ["x1", "x2"] and ds.task == "classification" and ds.n_classes == 2
    assert len(ds.X_train) == 2 and len(ds.X_test) == 2
    rows = {tuple(x) + (float(y),) for x, y in zip(ds.X_all, ds.y_all[:, 0])}
    assert rows == {(0.5, 1.5, 0.0), (-1.0, 2.0, 1.0), (3.0, -4.25, 1.0), (0.2, 0.0, 0.0)}
    again = load_csv(GOOD.encode())
    np.testing.assert_array_equal(ds.X_train, again.X_train)  # seeded split


def test_csv_without_header_bom_crlf_quotes_and_blank_lines():
    ds = load_csv(b"\xef\xbb\xbf1,2,1\r\n\r\n3,4,-1\r\n\"5\", 6 ,1\r\n")
    assert ds.feature_names == ["x1", "x2"]
    assert sorted(ds.y_all[:, 0]) == [0.0, 1.0, 1.0]  # -1/1 -> 0/1
    assert sorted(ds.X_all[:, 0]) == [1.0, 3.0, 5.0]


def test_csv_multiclass_and_regression():
    multi = load_csv("f,label\n0,0\n1,1\n2,2\n3,1\n4,0\n5,2\n")
    assert multi.task == "classification" and multi.n_classes == 3
    assert multi.y_all.shape == (6, 3)
    np.testing.assert_array_equal(multi.y_all.sum(axis=1), 1)
    x_to_label = dict(zip(multi.X_all[:, 0], multi.y_all.argmax(axis=1)))
    assert x_to_label == {0: 0, 1: 1, 2: 2, 3: 1, 4: 0, 5: 2}
    reg = load_csv("a,b,c,target\n1,2,3,0.5\n4,5,6,-1.25\n7,8,9,3\n")
    assert reg.task == "regression" and reg.n_classes == 1
    assert reg.feature_names == ["a", "b", "c"]
    assert sorted(reg.y_all[:, 0]) == [-1.25, 0.5, 3.0]


def test_csv_split_arguments():
    text = "x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20))
    ds = load_csv(text, train_ratio=0.8, seed=3)
    assert len(ds.X_train) == 16 and len(ds.X_test) == 4
    assert not np.array_equal(ds.X_train, load_csv(text, train_ratio=0.8, seed=4).X_train)
    with pytest.raises(DatasetError, match="train_ratio"):
        load_csv(text, train_ratio=1.0)


@pytest.mark.parametrize("data,word", [
    (b"", "empty"),
    ("   \n\n  ", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"x,label\n1,0\n\xff\xfe2,1\n", "UTF-8"),
    ("x,label\n1,0\n2,1,5\n3,1\n", "row 3"),
    ("x,label\n1,0\n2\n3,1\n", "same number of columns"),
    ("x,label\n1,0\nabc,1\n3,1\n", "not a number"),
    ("x,label\n1,0\nabc,1\n3,1\n", "row 3, column 1"),
    ("x,label\n1,0\n,1\n3,1\n", "empty"),
    ("x,label\n1,0\nnan,1\n3,1\n", "NaN"),
    ("x,label\n1,0\n2,inf\n3,1\n", "finite"),
    ("x;y;label\n1;2;0\n3;4;1\n", "2 columns"),
    ("1\n2\n3\n", "feature"),
    ("x,label\n1,0\n", "at least 2 data rows"),
    ("x,label\n", "at least 2 data rows"),
    ("x,label\n1,1\n2,1\n3,1\n", "at least two classes"),
    ("x,label\n1,-1\n2,-1\n", "at least two classes"),
    ("x,label\n1,0\n2,2\n3,0\n", "0 to K-1"),
    ("x,label\n1,1\n2,2\n", "bad labels"),
    ("x,label\n" + "".join(f"{i},{i}\n" for i in range(12)), "at most 10"),
])
def test_bad_csv_is_rejected_with_a_useful_message(data, word):
    with pytest.raises(DatasetError, match=word):
        load_csv(data)


def test_csv_size_limits():
    text = "a,b,c,label\n" + "".join(f"{i},{i},{i},{i % 2}\n" for i in range(10))
    with pytest.raises(DatasetError, match="too big"):
        load_csv(text.encode(), max_bytes=50)
    with pytest.raises(DatasetError, match="too big"):
        load_csv(text, max_bytes=50)
    with pytest.raises(DatasetError, match="too many rows"):
        load_csv(text, max_rows=9)
    assert len(load_csv(text, max_rows=10).X_all) == 10
    with pytest.raises(DatasetError, match="too many columns"):
        load_csv(text, max_cols=3)
    assert load_csv(text, max_cols=4).X_all.shape == (10, 3)
    with pytest.raises(DatasetError, match="bytes or text"):
        load_csv(12345)


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_csv_round_trip(name):
    ds = make_dataset(name, n_points=60, noise=0.2, seed=9)
    text = dataset_to_csv(ds)
    back = load_csv(text)
    assert back.task == ds.task and back.n_classes == ds.n_classes
    assert back.feature_names == ds.feature_names
    before = np.hstack([ds.X_all, ds.y_all])
    after = np.hstack([back.X_all, back.y_all])
    # load_csv shuffles again: compare the rows as sorted sets, exactly (floats round-trip).
    np.testing.assert_array_equal(before[np.lexsort(before.T)], after[np.lexsort(after.T)])
    featured = with_features(ds, ["x1^2", "x1*x2"]) if name != "tutorial_xor" else ds
    assert load_csv(dataset_to_csv(featured)).feature_names == featured.feature_names


def test_csv_export_with_split_column():
    ds = make_dataset("xor", n_points=30, train_ratio=0.7)
    lines = dataset_to_csv(ds, include_split=True).splitlines()
    assert lines[0] == "x1,x2,label,split"
    splits = [line.rsplit(",", 1)[1] for line in lines[1:]]
    assert splits.count("train") == len(ds.X_train) and splits.count("test") == len(ds.X_test)
    assert len(dataset_to_csv(make_dataset("tutorial_xor")).splitlines()) == 5  # header + 4 rows


def test_csv_values_beyond_the_magnitude_cap_are_refused():
    from nn_core.datasets import MAX_ABS_VALUE, DatasetError, load_csv

    ok = load_csv(f"{MAX_ABS_VALUE:g},1,0\n-1,2,1\n3,4,0\n5,6,1\n")
    assert ok.X_train.max() <= MAX_ABS_VALUE
    with pytest.raises(DatasetError, match="scale the column"):
        load_csv("1e308,1,0\n-1,2,1\n3,4,0\n5,6,1\n")
