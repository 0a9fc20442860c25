"""The sidebar's Preset box names the preset that is loaded, until a setting changes."""

from tests.app_helpers import experiment, open_app


def test_the_preset_box_shows_the_loaded_preset_until_a_setting_changes():
    at = open_app(page="pages/network_graph.py")
    at.selectbox(key="preset_choice").set_value("tutorial").run()
    assert not at.exception
    assert experiment(at).config.dataset == "tutorial_xor"
    assert at.selectbox(key="preset_choice").value == "tutorial"
    at.number_input(key="cfg.seed").set_value(7).run()
    assert at.selectbox(key="preset_choice").value is None


def test_a_preset_link_names_its_preset_and_shows_the_constant_input():
    at = open_app({"preset": "tutorial"}, page="pages/network_graph.py")
    assert at.selectbox(key="preset_choice").value == "tutorial"
    shown = " ".join(m.value for m in at.sidebar.markdown)
    assert "`x1`, `x2`, `bias (1)`" in shown  # three inputs, as the network has


def test_every_preset_has_a_short_name_for_the_box_and_its_description_in_the_help():
    from nn_core.config import PRESETS
    from ui.sidebar import PRESET_NAMES

    assert set(PRESET_NAMES) == set(PRESETS)
    at = open_app(page="pages/network_graph.py")
    box = at.selectbox(key="preset_choice")
    assert [box.format_func(k) for k in PRESETS] == [PRESET_NAMES[k] for k in PRESETS]
    for label, _ in PRESETS.values():
        assert label in box.help
