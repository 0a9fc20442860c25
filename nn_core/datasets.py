"""Datasets: TensorFlow Playground's 2-D generators, the tutorial's XOR table, input features
(x1^2, sin x1, ...) and a validated CSV upload / download. NumPy and the standard library only.

Conventions: X rows are samples; y is (n, 1) with 0/1 for two classes, one-hot (n, K) for more,
floats (n, 1) for regression. TF's -1/+1 labels become 0/1 so a sigmoid output can fit them.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, replace

import numpy as np

DOMAIN = 6.0  # points live in [-6, 6]^2, TF Playground's drawing area
MAX_POINTS = 5000
MAX_NOISE = 0.5  # TF's noise slider 0..50 %, as a fraction
MAX_CLASSES = 10
MAX_ABS_VALUE = 1e6  # largest |cell| a CSV may hold

CLASSIFICATION_SETS = ("tutorial_xor", "circle", "xor", "gaussian", "spiral", "moons", "three_class")
REGRESSION_SETS = ("plane", "sine")
DATASET_NAMES = CLASSIFICATION_SETS + REGRESSION_SETS


class DatasetError(ValueError):
    """A bad dataset request or file; the message says what is allowed."""


@dataclass(frozen=True, eq=False)  # eq=False: comparing NumPy arrays with == is not a bool
class Dataset:
    """One dataset split into train and test rows (see the module docstring for y's layout)."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str  # "classification" | "regression"
    n_classes: int  # K for classification, 1 for regression
    feature_names: list[str]  # one name per column of X

    def _labels(self, y: np.ndarray) -> np.ndarray:
        """Return the int class index of each row of y."""
        if self.task != "classification":
            raise DatasetError("a regression dataset has no class labels; use y directly")
        return y[:, 0].astype(int) if y.shape[1] == 1 else y.argmax(axis=1)

    @property
    def labels_train(self) -> np.ndarray:
        """Return the class index (0..K-1) of each training row."""
        return self._labels(self.y_train)

    @property
    def labels_test(self) -> np.ndarray:
        """Return the class index (0..K-1) of each test row."""
        return self._labels(self.y_test)

    @property
    def X_all(self) -> np.ndarray:
        """Return every distinct row of X: train then test (the tutorial's table only once)."""
        # An unsplit set (the tutorial's) has test = the very same arrays: don't count them twice.
        return self.X_train if self.X_test is self.X_train else np.vstack([self.X_train, self.X_test])

    @property
    def y_all(self) -> np.ndarray:
        """Return the targets matching X_all."""
        return self.y_train if self.y_test is self.y_train else np.vstack([self.y_train, self.y_test])


# ---- generators: each returns (points (n, 2), class index per point or float target) ----


def _class_sizes(n: int, k: int) -> list[int]:
    """Return how many of n points each of k classes gets (as even as possible)."""
    return [n // k + (i < n % k) for i in range(k)]


def _circle(rng, n, noise):
    """Return a disc of radius 2.5 (label 1) inside a ring 3.5..5 (label 0)."""
    n_out, n_in = _class_sizes(n, 2)
    r = np.concatenate([rng.uniform(3.5, 5, n_out), rng.uniform(0, 2.5, n_in)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    # As TF does: keep the clean point but label a noisy copy, so noise shows as wrong labels.
    noisy = X + rng.uniform(-5, 5, (n, 2)) * noise
    return X, (np.hypot(noisy[:, 0], noisy[:, 1]) < 2.5).astype(int)


def _xor(rng, n, noise):
    """Return points in the four quadrants, label 1 where x1 * x2 >= 0."""
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # TF's padding: keep points off the axes
    noisy = X + rng.uniform(-5, 5, (n, 2)) * noise  # labels from a noisy copy, as in TF
    return X, (noisy[:, 0] * noisy[:, 1] >= 0).astype(int)


def _blobs(rng, n, noise, centres):
    """Return one Gaussian blob per centre, labelled by the centre's index."""
    std = math.sqrt(0.5 + 3.5 * noise / MAX_NOISE)  # TF: variance = lerp(0.5, 4, noise / 0.5)
    sizes = _class_sizes(n, len(centres))
    X = np.vstack([rng.normal(c, std, (m, 2)) for c, m in zip(centres, sizes)])
    # TF lets far samples leave the drawn area; we clip so every point stays in the domain.
    return np.clip(X, -DOMAIN, DOMAIN), np.repeat(np.arange(len(centres)), sizes)


_GAUSSIAN_CENTRES = [(-2.0, -2.0), (2.0, 2.0)]  # TF's: label 0 (TF's -1) and label 1
_ANGLES = np.deg2rad([90, 210, 330])  # three_class: centres 120 degrees apart, radius 3.5
_THREE_CENTRES = list(zip(3.5 * np.cos(_ANGLES), 3.5 * np.sin(_ANGLES)))


def _spiral(rng, n, noise):
    """Return two interleaved spiral arms (TF's): label 1 from angle 0, label 0 from angle pi."""
    def arm(m, delta):  # TF: r grows to 5 while the angle turns 1.75 times around
        i = np.arange(m)
        r, t = i / m * 5, 1.75 * i / m * 2 * np.pi + delta
        return np.column_stack([r * np.sin(t), r * np.cos(t)])
    sizes = _class_sizes(n, 2)
    X = np.vstack([arm(sizes[0], np.pi), arm(sizes[1], 0.0)])
    X += rng.uniform(-1, 1, X.shape) * noise
    return X, np.repeat([0, 1], sizes)


def _moons(rng, n, noise):
    """Return scikit-learn's two half-moons (upper label 0, lower label 1) stretched to [-6, 6]."""
    sizes = _class_sizes(n, 2)
    t0, t1 = rng.uniform(0, np.pi, sizes[0]), rng.uniform(0, np.pi, sizes[1])
    X = np.vstack([np.column_stack([np.cos(t0), np.sin(t0)]),
                   np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    X += rng.normal(0, noise, X.shape)  # noise in moon units, like make_moons(noise=...)
    X = (X - [0.5, 0.25]) * 3.5  # centre the pair; x spans about [-5.25, 5.25]
    return np.clip(X, -DOMAIN, DOMAIN), np.repeat([0, 1], sizes)


def _regression_points(rng, n, noise):
    """Return clean points in the domain and the noisy copies their targets are computed from."""
    X = rng.uniform(-DOMAIN, DOMAIN, (n, 2))
    return X, X + rng.uniform(-DOMAIN, DOMAIN, (n, 2)) * noise  # TF's regression noise


def _plane(rng, n, noise):
    """Return points with target (x1 + x2) / 10, clipped to [-1, 1] (TF's plane)."""
    X, noisy = _regression_points(rng, n, noise)
    return X, np.clip(noisy.sum(axis=1) / 10, -1, 1)


def _sine(rng, n, noise):
    """Return points with target sin(x1), in [-1, 1]."""
    X, noisy = _regression_points(rng, n, noise)
    return X, np.sin(noisy[:, 0])


_GENERATORS = {"circle": _circle, "xor": _xor, "spiral": _spiral, "moons": _moons,
               "gaussian": lambda rng, n, noise: _blobs(rng, n, noise, _GAUSSIAN_CENTRES),
               "three_class": lambda rng, n, noise: _blobs(rng, n, noise, _THREE_CENTRES),
               "plane": _plane, "sine": _sine}
_N_CLASSES = {"three_class": 3}  # every other classification set has 2


def _check_number(label, value, low, high, integer=False):
    """Return value if it is a real number (an int if integer) in [low, high]; else raise."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "a whole number" if integer else "a number"
        raise DatasetError(f"{label} must be {kind} from {low} to {high}, got {value!r}")
    return value


def _build(name, X, target, task, n_classes, feature_names, train_ratio, seed_or_rng):
    """Return a Dataset from rows X and targets (class indices or floats), shuffled and split."""
    X = np.asarray(X, dtype=np.float64)
    if task == "regression" or n_classes == 2:
        y = np.asarray(target, dtype=np.float64).reshape(-1, 1)
    else:
        y = np.eye(n_classes)[target]  # one-hot rows for a softmax output
    # Shuffle so train and test both hold every class; split as TF does, but never leave a side empty.
    order = np.random.default_rng(seed_or_rng).permutation(len(X))
    n_train = min(max(int(len(X) * train_ratio), 1), len(X) - 1)
    tr, te = order[:n_train], order[n_train:]
    return Dataset(name, X[tr], y[tr], X[te], y[te], task, n_classes, list(feature_names))


def make_dataset(name, n_points=200, noise=0.0, train_ratio=0.5, seed=0) -> Dataset:
    """Return the named Dataset; the same arguments always give identical arrays."""
    if name not in DATASET_NAMES:
        raise DatasetError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASET_NAMES)}")
    _check_number("n_points", n_points, 2, MAX_POINTS, integer=True)
    _check_number("noise", noise, 0.0, MAX_NOISE)
    _check_number("train_ratio", train_ratio, 0.1, 0.9)
    _check_number("seed", seed, 0, 2**63 - 1, integer=True)
    if name == "tutorial_xor":
        # The tutorial's table verbatim: the third column is a constant 1 acting as a bias input.
        X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
        y = np.array([[0], [1], [1], [0]], dtype=np.float64)
        return Dataset(name, X, y, X, y, "classification", 2, ["x1", "x2", "bias (1)"])
    rng = np.random.default_rng(seed)
    X, target = _GENERATORS[name](rng, n_points, noise)
    if name in REGRESSION_SETS:
        return _build(name, X, target, "regression", 1, ["x1", "x2"], train_ratio, rng)
    k = _N_CLASSES.get(name, 2)
    return _build(name, X, target, "classification", k, ["x1", "x2"], train_ratio, rng)


# ---- input features (TF Playground's feature toggles) ----

_FEATURE_FNS = {
    "x1": lambda x1, x2: x1, "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1**2, "x2^2": lambda x1, x2: x2**2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1), "sin_x2": lambda x1, x2: np.sin(x2),
}
FEATURES = tuple(_FEATURE_FNS)
FEATURE_LABELS = {"x1": "x_1", "x2": "x_2", "x1^2": "x_1^2", "x2^2": "x_2^2",
                  "x1*x2": "x_1 x_2", "sin_x1": r"\sin(x_1)", "sin_x2": r"\sin(x_2)"}


def _feature_list(feature_names) -> list[str]:
    """Return feature_names as a checked, non-empty list of known feature names."""
    names = [feature_names] if isinstance(feature_names, str) else list(feature_names)
    unknown = [f for f in names if f not in _FEATURE_FNS]
    if unknown or not names:
        raise DatasetError(f"unknown or no features {unknown}; choose from: {', '.join(FEATURES)}")
    return names


def feature_matrix(points, feature_names) -> np.ndarray:
    """Return an (n, k) array: column j is feature feature_names[j] of each (x1, x2) point."""
    names = _feature_list(feature_names)
    pts = np.atleast_2d(np.asarray(points, dtype=np.float64))
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise DatasetError(f"points must have shape (n, 2), got {np.shape(points)}")
    return np.column_stack([_FEATURE_FNS[f](pts[:, 0], pts[:, 1]) for f in names])


def with_features(dataset: Dataset, feature_names) -> Dataset:
    """Return a copy of a generated 2-D dataset whose X columns are the chosen features."""
    if dataset.name not in _GENERATORS:  # the tutorial's table and CSV uploads keep their columns
        return dataset
    names = _feature_list(feature_names)
    try:  # the features are computed from the raw coordinates, wherever those columns are
        cols = [dataset.feature_names.index("x1"), dataset.feature_names.index("x2")]
    except ValueError:
        raise DatasetError("with_features needs the raw x1 and x2 columns; "
                           "pass it the dataset make_dataset returned") from None
    return replace(dataset, X_train=feature_matrix(dataset.X_train[:, cols], names),
                   X_test=feature_matrix(dataset.X_test[:, cols], names), feature_names=names)


# ---- CSV upload and download (user input: validated, parsed as plain numbers, never executed) ----


def _number(cell: str) -> float | None:
    """Return the cell as a float, or None if float() cannot read it."""
    try:
        return float(cell)
    except ValueError:
        return None


def _parse_cell(cell: str, row: int, col: int, col_name: str) -> float:
    """Return the cell as a finite float, or raise naming its row and column."""
    where = f"row {row}, column {col + 1} ({col_name})"
    value = _number(cell)
    if not cell:
        raise DatasetError(f"{where} is empty; every cell needs a number")
    if value is None:
        raise DatasetError(f"{where}: {cell[:40]!r} is not a number (use plain numbers like 1.5; "
                           "columns separated by commas)")
    if not math.isfinite(value):
        raise DatasetError(f"{where} is {cell!r}; only finite numbers are allowed, no NaN or inf")
    if abs(value) > MAX_ABS_VALUE:
        # Beyond this a weighted sum of a few such inputs overflows float64 arithmetic.
        raise DatasetError(f"{where} is {cell!r}; values must lie between -{MAX_ABS_VALUE:g} and "
                           f"{MAX_ABS_VALUE:g} (scale the column first)")
    return value


def _read_text(data, max_bytes: int) -> str:
    """Return the upload as text, refusing oversized, binary and non-UTF-8 files."""
    raw = bytes(data) if isinstance(data, (bytes, bytearray, memoryview)) else None
    if raw is not None or isinstance(data, str):
        size = len(raw) if raw is not None else len(data.encode("utf-8", "replace"))
    else:
        raise DatasetError(f"expected the file's contents as bytes or text, got {type(data).__name__}")
    if size > max_bytes:
        raise DatasetError(f"file is too big: {size:,} bytes, the limit is {max_bytes:,} bytes")
    if raw is not None:
        if b"\x00" in raw:
            raise DatasetError("this looks like a binary file (or UTF-16 text); upload a CSV file saved as UTF-8")
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DatasetError(f"the file is not UTF-8 text (undecodable byte at position {e.start}); "
                               "save it as 'CSV UTF-8'") from None
    if "\x00" in data:
        raise DatasetError("this looks like a binary file (or UTF-16 text); upload a CSV file saved as UTF-8")
    return data.removeprefix("\ufeff")  # a byte-order mark from spreadsheet exports


def load_csv(data, max_rows=5000, max_cols=20, max_bytes=1_000_000, train_ratio=0.5, seed=0) -> Dataset:
    """Return a Dataset read from CSV (feature columns, label last) or raise DatasetError."""
    _check_number("train_ratio", train_ratio, 0.1, 0.9)
    _check_number("seed", seed, 0, 2**63 - 1, integer=True)
    text = _read_text(data, max_bytes)
    rows = []  # (line number in the file, stripped cells), blank lines skipped
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):
                rows.append((reader.line_num, cells))
            if len(rows) > max_rows + 1:  # stop reading early: one header row may follow
                break
    except csv.Error as e:
        raise DatasetError(f"could not read the CSV near row {reader.line_num}: {e}") from None
    if not rows:
        raise DatasetError("the file is empty; expected rows like 0.5,1.2,1 (features, then the label)")
    first = rows[0][1]
    header = first if any(c and _number(c) is None for c in first) else None  # words -> header
    data_rows = rows[1:] if header else rows
    n_cols = len(first)
    if n_cols > max_cols:
        raise DatasetError(f"too many columns: {n_cols}, the limit is {max_cols}")
    if n_cols < 2:
        raise DatasetError("needs at least 2 columns: one or more feature columns, then the label "
                           "in the last column (separate columns with commas)")
    if len(data_rows) > max_rows:
        raise DatasetError(f"too many rows: more than {max_rows:,}, the limit is {max_rows:,}")
    if len(data_rows) < 2:
        raise DatasetError(f"needs at least 2 data rows, found {len(data_rows)}")
    names = [c or f"x{j + 1}" for j, c in enumerate(header)] if header else \
        [f"x{j + 1}" for j in range(n_cols - 1)] + ["label"]
    values = np.empty((len(data_rows), n_cols))
    for i, (line, cells) in enumerate(data_rows):
        if len(cells) != n_cols:
            raise DatasetError(f"row {line} has {len(cells)} values but row {rows[0][0]} has "
                               f"{n_cols}; every row needs the same number of columns")
        values[i] = [_parse_cell(c, line, j, names[j]) for j, c in enumerate(cells)]
    X, labels = values[:, :-1], values[:, -1]
    if np.all(labels == np.round(labels)):  # whole numbers: class indices
        classes = np.unique(labels)
        if set(classes) == {-1.0, 1.0}:  # TF's -1/+1 convention -> 0/1
            labels, classes = (labels > 0).astype(float), np.array([0.0, 1.0])
        shown = ", ".join(f"{c:g}" for c in classes[:12])
        if len(classes) == 1:
            raise DatasetError(f"every label is {shown}; classification needs at least two classes")
        if len(classes) > MAX_CLASSES:
            raise DatasetError(f"bad labels: {len(classes)} classes, at most {MAX_CLASSES} are "
                               "allowed (for a regression target use non-whole numbers)")
        if not np.array_equal(classes, np.arange(len(classes))):
            raise DatasetError(f"bad labels: classes must be numbered 0 to K-1 (or -1 and 1 for two "
                               f"classes); the last column has {shown}")
        task, k, target = "classification", len(classes), labels.astype(int)
    else:
        task, k, target = "regression", 1, labels
    return _build("csv", X, target, task, k, names[:-1], train_ratio, seed)


def dataset_to_csv(dataset: Dataset, include_split=False) -> str:
    """Return CSV text: a header, then one row per point (features..., label[, split])."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*dataset.feature_names, "label"] + (["split"] if include_split else []))
    parts = [("train", dataset.X_train, dataset.y_train)]
    if dataset.X_test is not dataset.X_train:  # the unsplit tutorial table is written once
        parts.append(("test", dataset.X_test, dataset.y_test))
    for split, X, y in parts:
        # Class indices as integers so load_csv reads them back as classes; repr() round-trips floats.
        labels = dataset._labels(y) if dataset.task == "classification" else map(repr, y[:, 0].tolist())
        for x, label in zip(X.tolist(), labels):
            writer.writerow([*map(repr, x), label] + ([split] if include_split else []))
    return out.getvalue()
