"""One classroom replica: `streamlit run app.py ...` that makes a browser arriving from another
replica reload its link.

Streamlit's frontend reconnects by itself when its websocket drops, and resumes its session
when the server still has it. A replica that died took its sessions along: the browser lands on
a live replica in a brand-new, empty session and keeps showing the dead one's page, and its
next page switch sends no query string (Streamlit keeps only widget-bound parameters across
pages), so the experiment in the address bar would be lost. The frontend does reload the whole
page when the server it reconnects to reports another Streamlit version than before; each
replica therefore reports its version plus a tag of its own (`1.67.0+replica.<tag>`). The
reload opens the same URL, which holds the experiment (ui/experiment.py), on the live replica.

    python3 -m classroom.replica <tag> run app.py --server.port ...   (classroom does this)
"""

from __future__ import annotations

import sys

import streamlit.runtime.app_session as app_session
from streamlit.web import cli


def main(argv):
    tag, streamlit_args = argv[0], argv[1:]
    # The version the new_session message reports (app_session imported it by name).
    app_session.STREAMLIT_VERSION_STRING = f"{app_session.STREAMLIT_VERSION_STRING}+replica.{tag}"
    sys.argv = ["streamlit", *streamlit_args]
    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
