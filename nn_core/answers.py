"""Which activation should I use? The answer, written from measurements over several seeds.

Pure functions: numbers in, sentences out (no training here, no UI). `measure` reads the runs
of a study into one `Measured` per activation (median and range over the initial-weight
seeds); `rank` groups activations whose ranges overlap (indistinguishable here); `answer`
writes the verdict, the evidence and the general advice, and says whether this data agreed
with the advice. Every comparison a sentence makes is one the table of the same `Measured`
shows: the sentences and the table read the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .activation_study import epochs_to_target

# Hidden activations the general advice recommends (ReLU family, its smooth cousins, tanh).
RECOMMENDED = ("relu", "leaky_relu", "elu", "gelu", "swish", "softplus", "tanh")
SIGMOID_MAX_SLOPE = 0.25


@dataclass(frozen=True)
class Measured:
    """One activation's results over its seeds. Lists hold one value per seed that did not
    diverge; `diverged` counts the seeds whose loss became NaN or infinite."""

    name: str
    seeds: int
    final_loss: tuple  # final test loss (train loss when there is no test set)
    accuracy: tuple  # final test accuracy in [0, 1]; empty for regression
    epochs_to_target: tuple  # first epoch with train loss <= target; None = never
    diverged: int = 0

    @property
    def ranked(self) -> bool:
        """Ranked only if no seed diverged and some seed finished."""
        return self.diverged == 0 and len(self.final_loss) > 0


def _range(v):
    """Return (median, low, high): from 5 values on, the best and the worst are dropped, so one
    lucky or unlucky start does not make two activations look alike."""
    v = np.sort(v)
    inner = v[1:-1] if v.size >= TRIM_FROM else v
    return float(np.median(v)), float(inner[0]), float(inner[-1])


TRIM_FROM = 5


def spread(values):
    """Return (median, low, high) of the finite values (see _range); NaNs if there are none."""
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=float)
    if not v.size:
        return math.nan, math.nan, math.nan
    return _range(v)


def target_spread(m: Measured):
    """Return (median, low, high) epochs to the target, a never counting as infinity."""
    v = np.asarray([math.inf if e is None else e for e in m.epochs_to_target], dtype=float)
    if not v.size:
        return math.nan, math.nan, math.nan
    return _range(v)


def range_words(seeds: int) -> str:
    """Return what a range means for this many seeds, for the page's captions."""
    if seeds >= TRIM_FROM:
        return (f"a range is the middle {seeds - 2} of the {seeds} seeds (the best and the "
                f"worst seed left out)")
    return f"a range is lowest–highest over the {seeds} seeds"


def rank(items, lower_is_better=True) -> list[list[str]]:
    """Return names grouped best group first: (name, median, low, high) tuples in.

    The best remaining median anchors a group; every remaining item whose range [low, high]
    overlaps the anchor's range joins it (indistinguishable from it here; exact ties overlap).
    Anchoring on the best, rather than chaining overlaps, keeps one wide-spread activation
    from gluing clearly different ones together. Items with a NaN median are left out.
    """
    sign = 1.0 if lower_is_better else -1.0
    rest = sorted((i for i in items if not math.isnan(i[1])), key=lambda i: (sign * i[1], i[0]))
    groups = []
    while rest:
        lo, hi = rest[0][2], rest[0][3]
        group = [i for i in rest if i[2] <= hi and i[3] >= lo]
        groups.append([i[0] for i in group])
        rest = [i for i in rest if i not in group]
    return groups


def loss_groups(measured) -> list[list[str]]:
    """Return the ranked activations grouped by final loss (lower first)."""
    return rank([(m.name, *spread(m.final_loss)) for m in measured if m.ranked])


def accuracy_groups(measured) -> list[list[str]]:
    return rank([(m.name, *spread(m.accuracy)) for m in measured if m.ranked and m.accuracy],
                lower_is_better=False)


def speed_groups(measured) -> list[list[str]]:
    """Return the ranked activations that reached the target in most seeds, grouped by epochs."""
    items = []
    for m in measured:
        med, lo, hi = target_spread(m)
        if m.ranked and math.isfinite(med):
            items.append((m.name, med, lo, hi))
    return rank(items)


def _join(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _num(x) -> str:
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.1e}"


def _loss_text(m: Measured) -> str:
    med, lo, hi = spread(m.final_loss)
    return _num(med) if _num(lo) == _num(hi) else f"{_num(med)}, range {_num(lo)}–{_num(hi)}"


def verdict(measured, loss_label="final test loss") -> str:
    """Return the verdict: which activation(s) did best here, ties said as ties."""
    seeds = max((m.seeds for m in measured), default=0)
    over = f"median of {seeds} seeds" if seeds > 1 else "one seed"
    ranked = [m for m in measured if m.ranked]
    by = {m.name: m for m in measured}
    if not measured:
        return "Nothing was trained."
    if not ranked:
        return ("No activation can be ranked: every one diverged in at least one seed "
                "(the loss became NaN or infinite). Lower the learning rate and compare again.")
    groups = loss_groups(measured)
    if len(measured) == 1:
        m = ranked[0]
        return (f"Only {m.name} was trained, so there is nothing to compare it with: its "
                f"{loss_label} was {_loss_text(m)} ({over}). Choose more activations to compare.")
    if len(groups) == 1 and len(groups[0]) > 1:
        lo = min(spread(by[n].final_loss)[1] for n in groups[0])
        hi = max(spread(by[n].final_loss)[2] for n in groups[0])
        return (f"No activation is measurably better here: every {loss_label} range over "
                f"{seeds} seeds overlaps the best one's (all within {_num(lo)}–{_num(hi)}). "
                f"Choose by the general advice below.")
    best = groups[0]
    text = (f"Best here: **{best[0]}** ({loss_label} {_loss_text(by[best[0]])}, {over})"
            if len(best) == 1 else
            f"Best here, indistinguishable from each other: **{_join(best)}** (their "
            f"{loss_label} ranges over {seeds} seeds overlap {best[0]}'s, the lowest median)")
    worse = [n for g in groups[1:] for n in g]
    word = "measurably worse" if seeds > 1 else "worse in this one run"
    if worse:
        w = by[groups[-1][-1]]
        med, lo, hi = spread(w.final_loss)
        text += (f"; {word}: {_join(worse)}"
                 + (f"; the worst was {w.name}" if len(worse) > 1 else "")
                 + f", with a {'median ' if seeds > 1 else ''}{loss_label} of {_num(med)}"
                 + ("" if _num(lo) == _num(hi) else f" (range {_num(lo)}–{_num(hi)})"))
    if seeds == 1 and len(ranked) > 1:
        text += ". With one start only, other initial weights may order them differently"
    return text + "."


def evidence(measured, target: float, loss_label="final test loss") -> list[str]:
    """Return sentences on speed, accuracy and failures, each a comparison the table shows."""
    out = []
    by = {m.name: m for m in measured}
    ranked = [m for m in measured if m.ranked]
    seeds = max((m.seeds for m in measured), default=0)
    if len(ranked) > 1:
        fast = speed_groups(measured)
        if not fast:
            out.append(f"No activation reached the loss target {target:g} in most seeds.")
        else:
            best = fast[0]
            med = [target_spread(by[n])[0] for n in best]
            when = (f"median epoch {min(med):.0f}" if min(med) == max(med)
                    else f"median epochs {min(med):.0f}–{max(med):.0f}")
            if max(med) == 0:
                out.append(f"Speed: {_join(best)} started at or below the loss target "
                           f"{target:g} (epoch 0): set a lower target to see a race.")
            elif len(best) == 1:
                out.append(f"Speed: {best[0]} reached the loss target {target:g} first "
                           f"({when}).")
            elif len(best) == len(ranked):
                out.append(f"Speed: indistinguishable; every activation reached the loss target "
                           f"{target:g} ({when}, ranges overlapping).")
            else:
                out.append(f"Speed: fastest to the loss target {target:g}, indistinguishable "
                           f"from each other: {_join(best)} ({when}).")
            never = [m.name for m in ranked if not math.isfinite(target_spread(m)[0])]
            if never:
                out.append(f"Did not reach the target in most seeds: {_join(never)}.")
        acc = accuracy_groups(measured)
        if acc:
            top = spread(by[acc[0][0]].accuracy)[0]
            if len(acc) == 1:
                lo = min(spread(by[n].accuracy)[0] for n in acc[0])
                same = (f"all at {100 * top:.0f}%" if lo == top
                        else f"medians {100 * lo:.0f}–{100 * top:.0f}%, ranges overlapping")
                out.append(f"Test accuracy: indistinguishable ({same}).")
            elif len(acc[0]) == 1:
                out.append(f"Test accuracy: highest {acc[0][0]} ({100 * top:.0f}% median).")
            else:
                out.append(f"Test accuracy: highest, tied, {_join(acc[0])} "
                           f"({100 * top:.0f}% median for {acc[0][0]}).")
    shaky = [m.name for m in ranked if _num(spread(m.final_loss)[1]) != _num(
        spread(m.final_loss)[2]) and spread(m.final_loss)[2] > 10 * spread(m.final_loss)[1]]
    if shaky and len(ranked) > 1:
        out.append(f"Depends on the start: {_join(shaky)} (the high end of the range is over "
                   f"10 times the low end: some seeds learn, some do not).")
    for m in measured:
        if m.diverged:
            out.append(f"{m.name} diverged in {m.diverged} of {m.seeds} seeds (loss NaN or "
                       f"infinite): not ranked. A smaller learning rate would keep it finite.")
    if seeds > 1 and ranked:
        out.append(f"Each activation ran from the same {seeds} initial weight sets (seeds); "
                   f"{range_words(seeds)}. Two activations count as different only when their "
                   f"ranges do not overlap.")
    return out


def advice(task: str = "binary") -> list[str]:
    """Return the general advice with its reasons (task: binary, multiclass or regression)."""
    output = {"binary": "sigmoid for two classes (an output in (0, 1) reads as a probability)",
              "multiclass": "softmax for several classes (outputs sum to 1)",
              "regression": "linear for regression (any real number)"}
    return [
        "Hidden layers: the ReLU family (relu, leaky_relu, elu, gelu, swish) or tanh. Why: "
        f"backpropagation multiplies the gradient by f'(z) once per layer, and sigmoid's slope "
        f"is at most {SIGMOID_MAX_SLOPE} and close to 0 when |z| is large (it saturates), so in "
        "a stack of sigmoid layers the first layers' gradient shrinks towards nothing. ReLU's "
        "slope is 1 wherever the unit is active; tanh's is up to 1 and centred at 0.",
        "Output layer: " + output.get(task, output["binary"]) + "; the other outputs: "
        + "; ".join(v for k, v in output.items() if k != task) + ".",
    ]


def agreement(measured, hidden_layers: int) -> str:
    """Return whether this study agreed with the advice, and why it may not have."""
    groups = loss_groups(measured)
    names = {m.name for m in measured if m.ranked}
    if "sigmoid" not in names or not names & set(RECOMMENDED) or len(groups) < 1:
        return ("This study cannot test the advice: it needs sigmoid and at least one of the "
                "recommended activations, each with finished runs.")
    best = set(groups[0])
    rec_best = sorted(best & set(RECOMMENDED))
    if "sigmoid" not in best and rec_best:
        return (f"This data agreed with the advice: sigmoid ended measurably worse than "
                f"{_join(rec_best)}.")
    if "sigmoid" in best and len(groups) == 1:
        why = ("with only one hidden layer, the slope of at most 0.25 shrinks the gradient "
               "only once" if hidden_layers <= 1 else
               f"with {hidden_layers} hidden layers the gradient still reaches the first layer")
        return (f"Here the numbers did not bear the advice out: sigmoid did as well as the "
                f"others. The advice is about deeper stacks and harder data: {why}, and data "
                f"this easy is solved by any activation. Try the deep example below to see "
                f"where sigmoid falls behind.")
    if "sigmoid" in best:
        return ("Here the numbers did not bear the advice out: sigmoid is among the best. "
                "Small, shallow networks on easy data often show this; the advice is about "
                "deeper stacks, where sigmoid's gradients vanish (see the deep example below).")
    return ("Sigmoid is not among the best here, but neither is any recommended activation: "
            "the best group holds only " + _join(sorted(best)) + ".")


def answer(measured, target: float, task: str = "binary", hidden_layers: int = 1,
           has_test: bool = True) -> dict:
    """Return {"verdict": str, "evidence": [str], "advice": [str], "agreement": str}."""
    label = "final test loss" if has_test else "final training loss"
    return {"verdict": verdict(measured, label), "evidence": evidence(measured, target, label),
            "advice": advice(task), "agreement": agreement(measured, hidden_layers)}


def measure(runs, target: float) -> list[Measured]:
    """Return one Measured per activation name (in first-seen order) from ActivationRuns."""
    order, by = [], {}
    for run in runs:
        if run.name not in by:
            order.append(run.name)
            by[run.name] = []
        by[run.name].append(run)
    out = []
    for name in order:
        finals, accs, hits, diverged = [], [], [], 0
        for run in by[name]:
            h = run.history
            if h.diverged:
                diverged += 1
                continue
            test = h.test_loss
            final = test[-1] if test is not None and test.size else (
                h.loss[-1] if h.loss.size else h.initial_loss)
            finals.append(float(final))
            if h.test_accuracy is not None and h.test_accuracy.size:
                accs.append(float(h.test_accuracy[-1]))
            elif h.accuracy is not None and h.accuracy.size and test is None:
                accs.append(float(h.accuracy[-1]))
            hits.append(epochs_to_target(h, target))
        out.append(Measured(name, len(by[name]), tuple(finals), tuple(accs), tuple(hits),
                            diverged))
    return out


def deep_example(measured, ratios: dict, epochs: int) -> list[str]:
    """Return what the deep example measured: sigmoid against the best, and its gradients.

    `ratios` maps a name to its median last-layer / first-layer gradient ratio.
    """
    by = {m.name: m for m in measured if m.ranked}
    groups = loss_groups(measured)
    if "sigmoid" not in by or not groups:
        return ["Sigmoid did not finish in every seed, so there is nothing to compare."]
    out = []
    best = groups[0]
    s = by["sigmoid"]
    seeds = s.seeds
    if "sigmoid" in best:
        out.append(f"Here sigmoid was not measurably worse than the best ({_join(best)}): "
                   f"final test loss {_loss_text(s)} over {seeds} seeds.")
    else:
        b = by[best[0]]
        acc = (f", test accuracy {100 * spread(s.accuracy)[0]:.0f}% against "
               f"{100 * spread(b.accuracy)[0]:.0f}%" if s.accuracy and b.accuracy else "")
        who = best[0] if len(best) == 1 else f"{_join(best)}, indistinguishable from each other"
        out.append(f"After {epochs} epochs from the same initial weights, sigmoid ended clearly "
                   f"worse than the best ({who}): final test loss {_loss_text(s)} against "
                   f"{_loss_text(b)} for {b.name} (median of {seeds} seeds){acc}.")
    r = ratios.get("sigmoid", math.nan)
    others = [f"{n} {ratios[n]:.3g}x" for n in by if n != "sigmoid" and n in ratios
              and math.isfinite(ratios[n])]
    if math.isfinite(r):
        size = ("at least 10 times smaller: the gradient vanishes on its way back"
                if r >= 10 else "less than 10 times smaller here")
        out.append(f"Sigmoid's first layer got a gradient {r:.3g} times smaller than its output "
                   f"layer's ({size}; median over epochs and seeds). The same ratio for the "
                   f"others: {', '.join(others) or 'not measured'}.")
    return out
