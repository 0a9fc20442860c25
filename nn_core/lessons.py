"""Lessons as data: read a lesson file (TOML), check it, and build each step's experiment.

A lesson file is plain data, never code: titles, Markdown text, the URL form of each step's
experiment (clamped like any link), the page to look at, and questions that name a *kind*
(nn_core.lesson_answers) whose answer the engine computes from the step's experiment. The
format is documented, with a complete example, in lessons/README.md.

    >>> lesson = parse_lesson(Path("lessons/tutorial.toml").read_bytes(), "tutorial")
    >>> exp = step_experiment(lesson.steps[0])
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl

from .bugs import BUGS
from .config import URL_KEYS, ExperimentConfig
from .experiment import Experiment
from .lesson_answers import KINDS, check_params
from .lesson_values import show_names_problem

MAX_BYTES = 100_000
MAX_STEPS = 40
MAX_TEXT = 6000
MAX_SHORT = 200  # titles, prompts, hints, one-line fields
MAX_CODE = 1000
MAX_LIST = 20
NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,40}$")
# Pages a step may point to (the page files' names; "home" and "playground": the front page).
PAGES = ("home", "playground", "network_graph", "feedforward", "backprop", "training", "activations",
         "lessons")
# Names a link's hide= and lock= accept: the config's fields, and for hide a few groups.
CONTROL_FIELDS = tuple(URL_KEYS)
HIDE_GROUPS = ("preset", "files", "sidebar")

LESSON_FIELDS = {"title", "summary", "hide", "lock", "step"}
STEP_FIELDS = {"title", "text", "experiment", "page", "code", "show", "bug", "sample",
               "question"}
QUESTION_FIELDS = {"kind", "prompt", "tolerance", "hint", "explanation", "choices", "sample",
                   "layer", "unit", "row", "col", "lr", "epochs"}


class LessonError(ValueError):
    """A lesson file that cannot be used; `problems` lists every reason, for its author."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Question:
    """A question of a step: its kind, the engine's parameters, and the author's words."""

    kind: str
    prompt: str
    params: tuple  # ((name, value), ...) for the kind's computation
    tolerance: float
    hint: str
    explanation: str

    def param(self, name, default=None):
        return dict(self.params).get(name, default)

    @property
    def numeric(self) -> bool:
        return KINDS[self.kind].numeric


@dataclass(frozen=True)
class LessonStep:
    """One step: what the student reads, the experiment it sets up, the page, the question."""

    title: str
    text: str
    experiment: str  # the URL form, as written
    config: ExperimentConfig  # validated and clamped
    page: str
    code: str = ""
    show: tuple = ()
    bug: str = ""
    sample: int = 1
    question: Question | None = None


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    summary: str
    steps: tuple
    hide: tuple = ()
    lock: tuple = ()

    @property
    def n_questions(self) -> int:
        return sum(s.question is not None for s in self.steps)


def experiment_config(text: str) -> tuple[ExperimentConfig, list]:
    """Return (config, notices) for the URL form of an experiment ("preset=tutorial&lr=0.5")."""
    params = dict(parse_qsl(text.strip().lstrip("?"), keep_blank_values=True))
    return ExperimentConfig.from_query_params(params)


def step_experiment(step: LessonStep) -> Experiment:
    """Return a fresh Experiment of the step (its data, its initial weights, its settings)."""
    exp = Experiment()
    exp.apply(step.config)
    exp.reset_network()
    return exp


def parse_lesson(data, name: str) -> Lesson:
    """Return the Lesson in `data` (bytes or str of TOML); raise LessonError listing problems.

    Every experiment is clamped like a link; a value that had to change is a problem, so a
    teacher sees it while writing rather than a student meeting a different experiment.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise LessonError([f"the file is {len(data) // 1000} kB; a lesson may have at most "
                           f"{MAX_BYTES // 1000} kB"])
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise LessonError(["the file is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as err:
        raise LessonError([f"not valid TOML: {err}"]) from None
    problems = []
    if not NAME_PATTERN.match(name or ""):
        problems.append("a lesson's name has 1-40 lowercase letters, digits or _")
    _unknown(raw, LESSON_FIELDS, "the lesson", problems)
    title = _text(raw, "title", "the lesson", problems, MAX_SHORT, required=True)
    summary = _text(raw, "summary", "the lesson", problems, MAX_SHORT * 2, required=True)
    hide = _names(raw, "hide", CONTROL_FIELDS + HIDE_GROUPS, problems)
    lock = _names(raw, "lock", CONTROL_FIELDS, problems)
    steps_raw = raw.get("step")
    if not isinstance(steps_raw, list) or not steps_raw:
        problems.append("the lesson needs at least one [[step]]")
        steps_raw = []
    if len(steps_raw) > MAX_STEPS:
        problems.append(f"{len(steps_raw)} steps; a lesson may have at most {MAX_STEPS}")
        steps_raw = steps_raw[:MAX_STEPS]
    steps = []
    for k, item in enumerate(steps_raw, 1):
        if not isinstance(item, dict):
            problems.append(f"step {k}: not a table")
            continue
        step = _step(item, f"step {k}", problems)
        if step is not None:
            steps.append(step)
    if problems:
        raise LessonError(problems)
    return Lesson(name, title, summary, tuple(steps), hide, lock)


def _step(item: dict, where: str, problems: list) -> LessonStep | None:
    before = len(problems)
    _unknown(item, STEP_FIELDS, where, problems)
    title = _text(item, "title", where, problems, MAX_SHORT, required=True)
    text = _text(item, "text", where, problems, MAX_TEXT, required=True)
    code = _text(item, "code", where, problems, MAX_CODE)
    page = _text(item, "page", where, problems, MAX_SHORT, required=True)
    if page and page not in PAGES:
        problems.append(f"{where}: page {page!r} is not one of {', '.join(PAGES)}")
    experiment = _text(item, "experiment", where, problems, MAX_SHORT * 2) or ""
    config, notices = experiment_config(experiment)
    problems.extend(f"{where}: experiment: {n}" for n in notices)
    bug = _text(item, "bug", where, problems, MAX_SHORT)
    if bug and bug not in BUGS:
        problems.append(f"{where}: bug {bug!r} is not one of {', '.join(BUGS)}")
    show = item.get("show", [])
    if not isinstance(show, list) or not all(isinstance(s, str) for s in show) \
            or len(show) > MAX_LIST:
        problems.append(f"{where}: show is a list of at most {MAX_LIST} names")
        show = []
    sample = item.get("sample", 1)
    if not _is_int(sample) or sample < 1:
        problems.append(f"{where}: sample is a whole number from 1")
        sample = 1
    question_raw = item.get("question")
    if question_raw is not None and not isinstance(question_raw, dict):
        problems.append(f"{where}: question is a table ([step.question])")
        question_raw = None
    if len(problems) > before:
        return None
    # The experiment as the pages will see it: clamped against its data too.
    exp = Experiment()
    more = exp.apply(config)
    problems.extend(f"{where}: experiment: {n}" for n in more)
    step = LessonStep(title, text, experiment, exp.config, page, code or "", tuple(show),
                      bug or "", int(sample))
    if sample > len(exp.X_train):
        problems.append(f"{where}: sample {sample} but the data has {len(exp.X_train)} "
                        "training rows")
    problem = show_names_problem(show, exp.net)
    if problem:
        problems.append(f"{where}: show: {problem}")
    if question_raw is not None:
        question = _question(question_raw, f"{where}: question", exp, problems)
        step = replace(step, question=question)
    return None if len(problems) > before else step


def _question(raw: dict, where: str, exp: Experiment, problems: list) -> Question | None:
    _unknown(raw, QUESTION_FIELDS, where, problems)
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        return None
    prompt = _text(raw, "prompt", where, problems, MAX_SHORT * 2, required=True)
    hint = _text(raw, "hint", where, problems, MAX_TEXT // 4, required=True)
    explanation = _text(raw, "explanation", where, problems, MAX_TEXT // 2, required=True)
    tolerance = raw.get("tolerance", 0.01)
    if not isinstance(tolerance, (int, float)) or isinstance(tolerance, bool) \
            or not 0 <= tolerance <= 1e6:
        problems.append(f"{where}: tolerance is a number from 0 to 1e6")
        tolerance = 0.01
    if not KINDS[kind].numeric and "tolerance" in raw:
        problems.append(f"{where}: tolerance belongs to number questions, not to {kind}")
    params = {k: _freeze(v) for k, v in raw.items()
              if k not in ("kind", "prompt", "tolerance", "hint", "explanation")}
    problems.extend(f"{where}: {p}" for p in check_params(kind, params, exp))
    return Question(kind, prompt or "", tuple(sorted(params.items(), key=lambda kv: kv[0])),
                    float(tolerance), hint or "", explanation or "")


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


def _unknown(raw: dict, allowed: set, where: str, problems: list):
    extra = sorted(set(raw) - allowed)
    if extra:
        problems.append(f"{where}: unknown field{'s' if len(extra) > 1 else ''} "
                        f"{', '.join(map(repr, extra))}; allowed: {', '.join(sorted(allowed))}")


def _text(raw: dict, key: str, where: str, problems: list, limit: int, required=False):
    value = raw.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: {key} is missing")
        return None
    if not isinstance(value, str):
        problems.append(f"{where}: {key} must be text")
        return None
    if len(value) > limit:
        problems.append(f"{where}: {key} has {len(value)} characters; at most {limit}")
        return None
    return value.strip()


def _names(raw: dict, key: str, allowed: tuple, problems: list) -> tuple:
    value = raw.get(key, [])
    if not isinstance(value, list) or len(value) > MAX_LIST:
        problems.append(f"{key} is a list of names")
        return ()
    bad = [v for v in value if v not in allowed]
    if bad:
        problems.append(f"{key}: {', '.join(map(repr, bad))} not among {', '.join(allowed)}")
    return tuple(v for v in value if v in allowed)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_lessons(folder) -> tuple[dict, dict]:
    """Return ({name: Lesson}, {name: LessonError}) for every *.toml in `folder`, sorted."""
    lessons, errors = {}, {}
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            lessons[path.stem] = parse_lesson(path.read_bytes(), path.stem)
        except LessonError as err:
            errors[path.stem] = err
    return lessons, errors
