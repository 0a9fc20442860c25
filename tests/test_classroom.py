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
