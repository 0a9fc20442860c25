""""Your data": points a user adds to (or erases from) the input plane by clicking.

The first edit copies the generated data's points (on the plane, before the features are
computed); from then on the experiment's data is this point set. It stays in the session
(a link cannot carry it), is capped by LIMITS.max_points, and downloads as CSV (x1, x2, label)
that the CSV upload reads back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import LIMITS
from .datasets import Dataset, feature_matrix


@dataclass(frozen=True, eq=False)
class OwnPoints:
    """Points on the plane with their class (0..K-1) and whether each is a training point."""

    X: np.ndarray  # (n, 2)
    labels: np.ndarray  # (n,) int
    train: np.ndarray  # (n,) bool
    n_classes: int
    source: str  # the dataset they started from

    @classmethod
    def from_plane(cls, plane, dataset: Dataset) -> OwnPoints:
        """Copy a 2-D classification dataset's points as drawn on its plane (train, then test)."""
        if dataset.task != "classification" or plane is None:
            raise ValueError("points can be added to 2-D classification data only")
        X = np.vstack([plane.points_train, plane.points_test]).astype(float)
        labels = np.concatenate([dataset.labels_train, dataset.labels_test]).astype(int)
        train = np.arange(len(X)) < len(plane.points_train)
        return cls(X, labels, train, dataset.n_classes, dataset.name)

    def add(self, x1: float, x2: float, label: int) -> OwnPoints:
        """Return these points plus a training point at (x1, x2) of class `label`."""
        if len(self.X) >= LIMITS.max_points:
            raise ValueError(f"at most {LIMITS.max_points} points")
        if not (np.isfinite(x1) and np.isfinite(x2)) or not 0 <= int(label) < self.n_classes:
            raise ValueError("a point needs finite coordinates and a known class")
        return OwnPoints(np.vstack([self.X, [[float(x1), float(x2)]]]),
                         np.append(self.labels, int(label)), np.append(self.train, True),
                         self.n_classes, self.source)

    def erase(self, x1: float, x2: float, radius: float) -> OwnPoints:
        """Return these points without the one nearest (x1, x2) within `radius` (unchanged if
        none is that near; a last training point always stays)."""
        d = np.hypot(self.X[:, 0] - x1, self.X[:, 1] - x2)
        i = int(np.argmin(d)) if len(d) else -1
        if i < 0 or d[i] > radius or (self.train[i] and self.train.sum() <= 1):
            return self
        keep = np.arange(len(self.X)) != i
        return OwnPoints(self.X[keep], self.labels[keep], self.train[keep], self.n_classes,
                         self.source)

    def dataset(self, features) -> Dataset:
        """Return the points as a Dataset with the chosen input features."""
        def targets(labels):
            if self.n_classes == 2:
                return labels.astype(float).reshape(-1, 1)
            return np.eye(self.n_classes)[labels]

        tr, te = self.train, ~self.train
        # An empty test side keeps its width, so the engine's shape checks hold.
        X_te = feature_matrix(self.X[te], features) if te.any() else np.zeros((0, len(features)))
        return Dataset("own", feature_matrix(self.X[tr], features), targets(self.labels[tr]),
                       X_te, targets(self.labels[te]), "classification", self.n_classes,
                       list(features))

    def to_csv(self) -> str:
        """Return x1, x2, label rows (training points first), readable by the CSV upload."""
        rows = ["x1,x2,label"]
        order = np.argsort(~self.train, kind="stable")
        rows += [f"{float(self.X[i, 0])!r},{float(self.X[i, 1])!r},{int(self.labels[i])}"
                 for i in order]
        return "\n".join(rows) + "\n"
