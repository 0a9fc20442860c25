"""The experiment: one validated settings object, its limits, its presets and its URL form.

Every value that comes from a user (a widget, a URL query parameter, a preset) goes through
`ExperimentConfig.clamp`, so the limits below are the one place where the caps live.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, make_dataclass

from .activations import HIDDEN_ACTIVATIONS
from .datasets import DATASET_NAMES, FEATURES
from .initializers import INITIALIZERS
from .losses import LOSSES
from .optimizers import OPTIMIZERS, REGULARIZATIONS


@dataclass(frozen=True)
class Limits:
    """Caps on everything a user can ask for, sized so one request holds a core for seconds."""

    max_hidden_layers: int = 6
    max_neurons: int = 16
    min_points: int = 10
    max_points: int = 2000
    max_epochs: int = 5000
    # One training request (a run, or all runs of a comparison together) is capped twice:
    # optimizer steps (each costs ~30-60 us of Python overhead) and rows x parameters
    # (the arithmetic, ~20 M per second); both caps are ~3-5 s of one core at worst.
    max_training_steps: int = 60_000
    max_training_work: int = 100_000_000
    min_lr: float = 1e-5
    max_lr: float = 10.0
    max_reg_rate: float = 10.0
    max_noise: float = 0.5
    min_train_ratio: float = 0.1
    max_train_ratio: float = 0.9
    max_seed: int = 2**31 - 1
    max_grid_resolution: int = 200
    max_upload_bytes: int = 1_000_000
    max_csv_rows: int = 2000
    max_csv_columns: int = 20
    max_comparison_runs: int = 10
    # The Playground's Play trains a second of epochs per request and stops at this epoch:
    # the history it records grows by one row an epoch.
    max_play_epochs: int = 10_000


LIMITS = Limits()

def max_epochs(n_train: int, batch_size: int, n_params: int, runs: int = 1) -> int:
    """Return how many epochs of this size fit the training caps (at least 1)."""
    batch = batch_size if 0 < batch_size < n_train else n_train
    steps_per_epoch = -(-n_train // max(batch, 1)) * runs
    work_per_epoch = 2 * n_train * max(n_params, 1) * runs  # the epoch's steps + its evaluation
    return max(1, min(LIMITS.max_epochs, LIMITS.max_training_steps // steps_per_epoch,
                      LIMITS.max_training_work // work_per_epoch))


# The value lists TensorFlow Playground offers, used by select sliders.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
OUTPUT_ACTIVATIONS = ("sigmoid", "tanh", "linear", "softmax", "relu")
# Datasets that do not come from make_dataset: an upload, and the 2-2-2 worked example.
EXTRA_DATASETS = ("worked_example", "csv")
ALL_DATASETS = DATASET_NAMES + EXTRA_DATASETS
FIXED_FEATURE_SETS = ("tutorial_xor", "worked_example", "csv")


# Fixed starting weights of presets that reproduce published numbers.
FIXED_WEIGHTS = {
    # Matt Mazur, "A Step by Step Backpropagation Example" (2015): W[0][i, j] joins input i to
    # hidden unit j, so w1..w4 = .15 .20 .25 .30 read column by column.
    "worked_example": (
        [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
        [[0.35, 0.35], [0.60, 0.60]],
    ),
}



@dataclass(frozen=True)
class Field:
    """One setting of an experiment: its default, its key in a link, how `clamp` keeps it in
    bounds, which part of the experiment it belongs to, and whether one sidebar widget
    (key "cfg." + name) edits it as it is."""

    default: object
    url: str
    rule: tuple  # ("choice", allowed) | ("number", low, high) | ("integer", low, high) | (kind,)
    part: str  # "data" | "network" | "training": what a change of it rebuilds
    widget: bool = True


L = LIMITS
# The one table of settings: ExperimentConfig's fields (in this order), their URL form,
# their bounds, and the sidebar widgets of ui.session all come from it. A new setting is one
# row here (and its widget in ui/sidebar.py).
FIELDS = {
    "dataset": Field("circle", "data", ("choice", ALL_DATASETS), "data"),
    "n_points": Field(200, "points", ("integer", L.min_points, L.max_points), "data"),
    "noise": Field(0.0, "noise", ("number", 0.0, L.max_noise), "data"),
    "train_ratio": Field(0.5, "ratio", ("number", L.min_train_ratio, L.max_train_ratio), "data"),
    "features": Field(("x1", "x2"), "features", ("features",), "data", widget=False),
    "data_seed": Field(0, "dseed", ("integer", 0, L.max_seed), "data"),
    "hidden": Field((4, 2), "hidden", ("hidden",), "network", widget=False),
    "hidden_activations": Field(("tanh", "tanh"), "acts", ("activations",), "network",
                                widget=False),
    "output_activation": Field("sigmoid", "out", ("choice", OUTPUT_ACTIVATIONS), "network"),
    "loss": Field("mse", "loss", ("choice", tuple(LOSSES)), "training"),
    "init": Field("playground", "init", ("choice", INITIALIZERS), "network"),
    "seed": Field(0, "seed", ("integer", 0, L.max_seed), "network"),
    "use_bias": Field(True, "bias", ("bool",), "network"),
    "lr": Field(0.03, "lr", ("number", L.min_lr, L.max_lr), "training"),
    "optimizer": Field("sgd", "opt", ("choice", tuple(OPTIMIZERS)), "training"),
    # 0 = the whole training set (full batch)
    "batch_size": Field(10, "batch", ("integer", 0, L.max_points), "training"),
    "regularization": Field("none", "reg", ("choice", REGULARIZATIONS), "training"),
    "reg_rate": Field(0.0, "regrate", ("number", 0.0, L.max_reg_rate), "training"),
    "epochs": Field(300, "epochs", ("integer", 1, L.max_epochs), "training"),
    # A preset whose initial weights are fixed numbers rather than drawn from `seed`.
    "fixed_weights": Field("", "weights", ("choice", ("", *FIXED_WEIGHTS)), "network",
                           widget=False),
}
del L
URL_KEYS = {name: f.url for name, f in FIELDS.items()}
WIDGET_FIELDS = tuple(name for name, f in FIELDS.items() if f.widget)


class _ConfigMethods:
    """ExperimentConfig's methods (its fields come from FIELDS, below)."""

    DATA_FIELDS = tuple(n for n, f in FIELDS.items() if f.part == "data")
    NETWORK_FIELDS = tuple(n for n, f in FIELDS.items() if f.part == "network")

    def data_key(self) -> tuple:
        return tuple(getattr(self, f) for f in self.DATA_FIELDS)

    def network_key(self) -> tuple:
        return self.data_key() + tuple(getattr(self, f) for f in self.NETWORK_FIELDS)

    def layer_sizes(self, n_inputs: int, n_outputs: int) -> list:
        return [n_inputs, *self.hidden, n_outputs]

    def activation_names(self) -> list:
        return [*self.hidden_activations, self.output_activation]

    def clamp(self, n_outputs: int | None = None, task: str | None = None,
              fallback: ExperimentConfig | None = None):
        """Return (a config within LIMITS and consistent with the data, notices for the user).

        A value that is not of the allowed kind is replaced by fallback's (default: defaults).
        """
        notices = []
        values = asdict(self)
        default = fallback or ExperimentConfig()

        def fix(name, value, why):
            # Named as in the link (?lr=...), the form a user can see and edit.
            notices.append(f"{URL_KEYS[name]}: {why}; using {_short(value)}.")
            values[name] = value

        def choice(name, allowed):
            if values[name] not in allowed:
                fix(name, getattr(default, name),
                    f"{_short(values[name])} is not one of {', '.join(allowed)}")

        def number(name, low, high, integer=False):
            v = values[name]
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            if not ok:
                fix(name, getattr(default, name), f"{_short(v)} is not a number")
                return
            clipped = min(max(v, low), high)
            clipped = int(round(clipped)) if integer else float(clipped)
            if clipped != v:
                fix(name, clipped, f"{_short(v)} is outside {low:g}..{high:g}")
            values[name] = clipped

        L = LIMITS
        for name, f in FIELDS.items():
            kind = f.rule[0]
            if kind == "choice":
                choice(name, f.rule[1])
            elif kind in ("number", "integer"):
                number(name, f.rule[1], f.rule[2], integer=kind == "integer")
            elif kind == "bool":
                values[name] = bool(values[name])
            elif kind == "features":
                feats = tuple(dict.fromkeys(x for x in values[name] if x in FEATURES))
                if feats != tuple(values[name]) or not feats:  # known ones, in order, once
                    fix(name, feats or default.features, "only known features, at least one")
            elif kind == "hidden":
                hidden = tuple(values[name])
                if len(hidden) > L.max_hidden_layers or not all(
                        isinstance(h, int) and 1 <= h <= L.max_neurons for h in hidden):
                    cut = tuple(min(max(int(h), 1), L.max_neurons)
                                for h in hidden[:L.max_hidden_layers]
                                if isinstance(h, (int, float)) and math.isfinite(h))
                    fix(name, cut, f"at most {L.max_hidden_layers} hidden layers of 1 to "
                                   f"{L.max_neurons} neurons")
            elif kind == "activations":
                acts = tuple(values[name])
                good = tuple(a if a in HIDDEN_ACTIVATIONS else "tanh" for a in acts)
                if good != acts:
                    fix(name, good, f"hidden activations must be among "
                                    f"{', '.join(HIDDEN_ACTIVATIONS)}")
                # One per hidden layer: extra layers repeat the last one (no notice needed).
                n_hidden = len(values["hidden"])
                values[name] = (good + (good[-1:] or ("tanh",)) * n_hidden)[:n_hidden]

        # Combinations that only make sense for some data.
        if n_outputs == 1 and values["output_activation"] == "softmax":
            fix("output_activation", "sigmoid", "softmax needs two or more classes")
        if n_outputs == 1 and values["loss"] == "cross_entropy":
            fix("loss", "bce", "cross-entropy over classes needs two or more classes")
        if task == "regression" and values["loss"] in ("bce", "cross_entropy"):
            fix("loss", "mse", "a regression target needs a squared-error loss")
        return ExperimentConfig(**values), notices

    # ---- URL form: short keys, plain strings ----

    def to_query_params(self) -> dict:
        """Return the query parameters that differ from the defaults (a short, shareable URL)."""
        default = ExperimentConfig()
        params = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                params[URL_KEYS[f.name]] = _format(value)
        return params

    @classmethod
    def from_query_params(cls, params) -> tuple:
        """Return (config, notices) from URL parameters; bad values get a notice and a default."""
        params = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(params).items()}
        base = cls()
        notices = []
        preset = params.get("preset")
        if preset is not None:
            if preset in PRESETS:
                base = PRESETS[preset][1]
            else:
                notices.append(f"preset: unknown preset {preset!r}; using the default experiment.")
        values = asdict(base)
        for f in fields(cls):
            raw = params.get(URL_KEYS[f.name])
            if raw is None:
                continue
            try:
                values[f.name] = _parse(raw, getattr(cls(), f.name))
            except (ValueError, OverflowError):
                notices.append(f"{URL_KEYS[f.name]}: could not read {str(raw)[:40]!r}; "
                               f"using {values[f.name]!r}.")
        unknown = sorted(set(params) - set(URL_KEYS.values()) - {"preset"})
        if unknown:
            notices.append(f"ignored unknown parameters: {', '.join(unknown)[:80]}.")
        config, more = cls(**values).clamp(fallback=base)
        return config, notices + more


ExperimentConfig = make_dataclass(
    "ExperimentConfig", [(name, type(f.default), field(default=f.default))
                         for name, f in FIELDS.items()],
    bases=(_ConfigMethods,), frozen=True)
ExperimentConfig.__module__ = __name__
ExperimentConfig.__doc__ = "Dataset, network and training settings: everything that defines " \
    "one experiment (fields: FIELDS)."
_MAX_PARAM_LENGTH = 200


def _short(value) -> str:
    """Return value for a message: numbers in short form, long text cut."""
    if isinstance(value, float) or (isinstance(value, int) and abs(value) > 1e9):
        return format(float(value), ".4g")
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _format(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return format(value, "g") if isinstance(value, float) else str(value)


def _parse(raw: str, like):
    """Return raw parsed to the type of `like`; raise ValueError when it is not of that form."""
    raw = str(raw).strip()
    if len(raw) > _MAX_PARAM_LENGTH:
        raise ValueError("too long")
    if isinstance(like, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(raw)
    if isinstance(like, int):
        value = float(raw)
        if not math.isfinite(value) or value != int(value):
            raise ValueError(raw)
        return int(value)
    if isinstance(like, float):
        return float(raw)  # NaN and inf are caught by clamp with a notice
    if isinstance(like, tuple):
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if like and isinstance(like[0], int) or raw in ("", "0", "none"):
            return tuple(int(p) for p in parts if p != "0" and p != "none")
        return tuple(parts)
    return raw


PRESETS = {
    "tutorial": ("The tutorial's XOR net (3-4-1 sigmoid, SSE, lr 1)", ExperimentConfig(
        dataset="tutorial_xor", hidden=(4,), hidden_activations=("sigmoid",),
        output_activation="sigmoid", loss="sse", init="uniform", use_bias=False, lr=1.0,
        batch_size=0, epochs=1500)),
    "worked_example": ("2-2-2 worked example (Mazur's fixed weights)", ExperimentConfig(
        dataset="worked_example", hidden=(2,), hidden_activations=("sigmoid",),
        output_activation="sigmoid", loss="mse", lr=0.5, batch_size=0, epochs=100,
        fixed_weights="worked_example")),
    "playground": ("TensorFlow Playground's default (circle, 4-2 tanh)", ExperimentConfig()),
    "spiral": ("Deep spiral (6 features, 5 hidden layers)", ExperimentConfig(
        dataset="spiral", n_points=400, noise=0.1, hidden=(8, 8, 8, 6, 4),
        hidden_activations=("tanh",) * 5,
        features=("x1", "x2", "x1^2", "x2^2", "sin_x1", "sin_x2"),
        lr=0.03, optimizer="adam", batch_size=10, epochs=500)),
    "three_class": ("Three classes with a softmax output", ExperimentConfig(
        dataset="three_class", n_points=300, noise=0.2, hidden=(6,), hidden_activations=("relu",),
        output_activation="softmax", loss="cross_entropy", init="he", lr=0.03,
        optimizer="adam", batch_size=10, epochs=200)),
}
DEFAULT_PRESET = "playground"

# Where the Playground starts when it is opened without an experiment in its link (the app's
# front page): ExperimentConfig() but for TensorFlow Playground's own 500 points (250 to train:
# 25 updates an epoch at batch 10, where 200 points give 10) and binary cross-entropy, the loss
# of a sigmoid output (MSE's gradient shrinks by sigmoid' <= 1/4 and vanishes when the output
# saturates). Pressing Play, the circle is learnt (97% test accuracy) in 50-110 epochs over
# seeds 0-5, 1-3 s of play, where ExperimentConfig() needs 290 to more than 600. Every other
# page, preset and link keeps ExperimentConfig(); a link to this start carries the difference.
PLAYGROUND_START = ExperimentConfig(n_points=500, loss="bce")

