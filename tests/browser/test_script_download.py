"""In the real browser: the sidebar's NumPy script downloads, runs, and prints train()'s losses."""

import re
import subprocess
import sys

import pytest

from nn_core import train
from nn_core.config import PRESETS
from nn_core.experiment import Experiment
from tests.browser.helpers import (
    assert_no_exception,
    click,
    open_page,
    open_sidebar,
    screenshot,
)


def test_the_sidebar_script_downloads_and_prints_the_losses_of_train(app_url, page, tmp_path):
    open_page(page, app_url, "?preset=tutorial")
    open_sidebar(page)  # the front page, the Playground, starts with it collapsed
    click(page, page.get_by_text("Files: your data and networks"))  # drawn once opened
    button = page.get_by_role("button", name="Download as a NumPy script")
    button.scroll_into_view_if_needed()
    screenshot(page, "script_download_sidebar", full_page=False)
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "tutorial_xor_initial.py"
    path = tmp_path / "tutorial_xor_initial.py"
    download.value.save_as(path)
    assert_no_exception(page)
    text = path.read_text()
    assert text.startswith(f'"""{PRESETS["tutorial"][0]}\n')

    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = {int(m[1]): float(m[2]) for m in
               re.finditer(r"^epoch (\d+) loss (\S+)$", done.stdout, re.MULTILINE)}
    exp = Experiment(PRESETS["tutorial"][1])
    history = train(exp.net, exp.X_train, exp.y_train, epochs=1500,
                    optimizer=exp.make_optimizer(), **exp.train_kwargs())
    assert sorted(printed) == list(range(0, 1501, 100))
    for epoch, loss in printed.items():
        expected = history.initial_loss if epoch == 0 else history.loss_list[epoch - 1]
        assert loss == pytest.approx(expected, rel=1e-12, abs=0)
