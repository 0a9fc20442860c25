"""Lessons in the browser: links open steps, Next moves, hide= hides, a lesson file previews,
and the tutorial lesson walked as a student would (one answer wrong), screenshotted."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from nn_core.lesson_answers import answer_key
from nn_core.lessons import load_lessons, step_experiment
from tests.browser.helpers import (
    act,
    assert_no_exception,
    click,
    open_page,
    open_sidebar,
    screenshot,
)
from tests.test_lessons import LESSON_DIR

FIRST_LOAD_MS = 120_000  # a bound for a cold server's first run, not a speed assertion
expect.set_options(timeout=60_000)  # waits bound a loaded machine; nothing here times speed

LESSONS, _ = load_lessons(LESSON_DIR)
TUTORIAL = LESSONS["tutorial"]
N = len(TUTORIAL.steps)


def panel(page):
    return page.locator(".st-key-lesson_panel")


def press(page, locator):
    """Click and wait for the run the click causes (bounded for a loaded machine)."""
    click(page, locator, FIRST_LOAD_MS)


def test_lesson_link_next_and_step_link(app_url, page):
    open_page(page, app_url, "?lesson=tutorial", timeout_ms=FIRST_LOAD_MS)
    expect(panel(page).get_by_text(f"Step 1 of {N}")).to_be_visible(timeout=FIRST_LOAD_MS)
    press(page, panel(page).get_by_role("button", name="Next"))
    expect(panel(page).get_by_text(f"Step 2 of {N}")).to_be_visible()
    assert "step=2" in page.url and "lesson=tutorial" in page.url
    assert_no_exception(page)

    open_page(page, app_url, "?lesson=tutorial&step=3", timeout_ms=FIRST_LOAD_MS)
    expect(panel(page).get_by_text(f"Step 3 of {N}")).to_be_visible()
    expect(page.get_by_role("heading", name="Feedforward")).to_be_visible()
    assert_no_exception(page)


def open_sidebar_section(page, name):
    open_sidebar(page)
    section = page.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary',
                           has_text=name)
    if section.locator("xpath=..").get_attribute("open") is None:
        press(page, section)  # a section draws its widgets once opened: a rerun


def test_hide_link_hides_the_named_control(app_url, page):
    open_page(page, app_url, "?lesson=learning_rate", timeout_ms=FIRST_LOAD_MS)
    open_sidebar_section(page, "Training")  # only the Network section starts open
    slider = page.locator('[data-testid="stSidebar"]').get_by_text("Learning rate", exact=True)
    expect(slider).to_be_visible()
    open_page(page, app_url, "?lesson=learning_rate&hide=lr,files", timeout_ms=FIRST_LOAD_MS)
    expect(panel(page).get_by_text("Step 1 of")).to_be_visible()
    open_sidebar_section(page, "Training")
    expect(slider).to_be_hidden()
    expect(page.get_by_text("Files: your data and networks")).to_be_hidden()
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("Optimizer")).to_be_visible()
    assert "hide=lr%2Cfiles" in page.url or "hide=lr,files" in page.url
    screenshot(page, "lessons_hide_lr_files", full_page=False)


def upload(page, path):
    """Upload a lesson file and wait for the run that reads it."""
    field = page.locator('.st-key-lessons-upload [data-testid="stFileUploaderDropzoneInput"]')
    act(page, lambda: field.set_input_files(str(path)), FIRST_LOAD_MS)


def test_bad_link_and_lesson_file_preview(app_url, page, tmp_path):
    open_page(page, app_url, "?lesson=no_such_lesson", timeout_ms=FIRST_LOAD_MS)
    expect(page.get_by_text("There is no lesson called 'no_such_lesson'")).to_be_visible()
    expect(page.get_by_text(TUTORIAL.title)).to_be_visible()
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\nsummary = "y"\n[[step]]\ntitle = "a"\ntext = "b"\n'
                   'page = "training"\nexperiment = "lr=99"\n')
    upload(page, bad)
    expect(page.get_by_text("bad.toml cannot be used as a lesson")).to_be_visible()
    expect(page.get_by_text("step 1: experiment: lr: 99 is outside")).to_be_visible()
    good = tmp_path / "good.toml"
    good.write_text((LESSON_DIR / "README.md").read_text().split("```toml\n")[1].split("```")[0])
    upload(page, good)
    expect(page.get_by_text("good.toml is a valid lesson")).to_be_visible()
    press(page, page.get_by_role("button", name="Try it"))
    expect(panel(page).get_by_text("Step 1 of 2")).to_be_visible()
    assert_no_exception(page)


def _answer(page, k, step, value):
    box = page.locator(f".st-key-lesson_question_{k}")
    if step.question.numeric:
        field = box.locator("input")
        # Typed and sent (Enter) as one action: the run that takes the new value is waited
        # for before Check, so the box is never typed into while a run redraws it.
        act(page, lambda: (field.fill(repr(float(value))), field.press("Enter")),
            FIRST_LOAD_MS)
    else:
        label = f"lr {value:g}" if isinstance(value, float) else str(value)
        press(page, box.get_by_text(label, exact=True))
    press(page, box.get_by_role("button", name="Check"))


def test_walk_the_tutorial_lesson_one_answer_wrong(app_url, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        open_page(page, app_url, "?lesson=tutorial", timeout_ms=FIRST_LOAD_MS)
        wrong_done = False
        for k, step in enumerate(TUTORIAL.steps):
            expect(panel(page).get_by_text(f"Step {k + 1} of {N}")).to_be_visible()
            expect(panel(page).get_by_text(step.title, exact=True)).to_be_visible()
            if step.question is not None:
                key = answer_key(step.question, step_experiment(step), step.bug)
                right = key.value if step.question.numeric else key.correct[0]
                if not wrong_done and k == 2:  # the first prediction of a hidden value
                    _answer(page, k, step, 0.5)
                    expect(panel(page).get_by_text("Not yet.")).to_be_visible()
                    screenshot(page, f"lesson_tutorial_{k + 1:02d}_wrong", full_page=False)
                    wrong_done = True
                _answer(page, k, step, right)
                expect(panel(page).get_by_text(re.compile("engine's (value|answer)"))
                       ).to_be_visible()
            assert_no_exception(page)
            screenshot(page, f"lesson_tutorial_{k + 1:02d}", full_page=False)
            press(page, panel(page).get_by_role("button", name="Finish" if k == N - 1
                                                 else "Next"))
        q = TUTORIAL.n_questions
        expect(panel(page).get_by_text(f"{q - 1} of {q} predictions within tolerance.")
               ).to_be_visible()
        screenshot(page, "lesson_tutorial_summary", full_page=False)
        # Spot check at 1024x768: a step with code and tables beside the text.
        page.set_viewport_size({"width": 1024, "height": 768})
        open_page(page, app_url, "?lesson=tutorial&step=7", timeout_ms=FIRST_LOAD_MS)
        expect(panel(page).get_by_text(f"Step 7 of {N}")).to_be_visible()
        screenshot(page, "lesson_tutorial_07_1024", full_page=False)
        assert_no_exception(page)
    finally:
        context.close()
