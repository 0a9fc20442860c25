"""The classroom setup's HAProxy configuration (classroom/__init__.py), checked by HAProxy."""

from __future__ import annotations

import subprocess

import pytest

from classroom import Backend, Classroom, full_page_html, haproxy_config


def test_the_generated_config_is_valid_haproxy(tmp_path):
    full = tmp_path / "full.html"
    full.write_text(full_page_html(40, 3))
    backends = [Backend("r1", "127.0.0.1", 9001), Backend("r2", "127.0.0.1", 9002),
                Backend("m1", "10.0.0.5", 8501)]
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(haproxy_config(backends, "0.0.0.0", 8501, 40, full, tmp_path / "s.sock"))
    check = subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    text = cfg.read_text()
    # Every replica is in both backends, with its cookie; the websocket backend checks health.
    for b in backends:
        assert f"server {b.name} {b.host}:{b.port} cookie {b.name} check" in text
        assert f"server {b.name} {b.host}:{b.port} cookie {b.name} track sessions/{b.name}" in text
    assert "nbsrv(sessions),mul(40)" in text


def test_the_full_page_says_how_many_students_the_server_holds():
    html = full_page_html(40, 3)
    assert "already has 120 students working" in html
    assert "40 on each of its 3 app processes" in html


def test_a_remote_replica_must_be_host_and_port():
    room = Classroom(replicas=0, remotes=("10.0.0.5:8501", "lab-2:8502"))
    assert [(b.name, b.host, b.port) for b in room.backends()] == [
        ("m1", "10.0.0.5", 8501), ("m2", "lab-2", 8502)]
    with pytest.raises(ValueError, match="HOST:PORT"):
        Classroom(replicas=0, remotes=("10.0.0.5",)).backends()
    with pytest.raises(ValueError):
        haproxy_config([], "0.0.0.0", 8501, 40, None, None)


CSV = "".join(f"{i % 7 * 0.5},{(i * 3) % 5 * 0.25},{i % 2}\n" for i in range(40)).encode()


def test_a_student_whose_uploaded_data_was_lost_is_told_and_keeps_the_rest():
    """A replica that died held a student's uploaded CSV: their browser reloads their link on a
    live replica. The link says the data was an upload (data=csv) and holds everything else."""
    from nn_core import network_to_json
    from tests.app_helpers import experiment, open_app
    from ui.session import CSV_LOST

    at = open_app({"seed": "7", "lr": "0.3", "hidden": "5,3"}, page="pages/network_graph.py")
    at.file_uploader(key="upload_csv").upload("mine.csv", CSV, "text/csv").run()
    link = dict(at.query_params)
    assert link["data"] == "csv" and link["seed"] == "7" and link["lr"] == "0.3"
    before = experiment(at).config

    again = open_app(link)  # the same link in a new session: the first render says it
    assert not again.exception
    assert CSV_LOST in [w.value for w in again.warning], "told to upload the file again"
    again.switch_page("pages/network_graph.py").run()
    exp = experiment(again)
    assert exp.config.dataset == "circle"  # shown meanwhile, said so
    assert (exp.config.seed, exp.config.lr, exp.config.hidden) == (7, 0.3, (5, 3))
    # Uploading the file again gives back exactly the experiment that was lost.
    again.file_uploader(key="upload_csv").upload("mine.csv", CSV, "text/csv").run()
    exp = experiment(again)
    assert exp.config == before and len(exp.X_train) + len(exp.X_test) == 40
    assert network_to_json(exp.net) == network_to_json(experiment(at).net)
    assert dict(again.query_params) == link
