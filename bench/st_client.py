"""A small websocket client of Streamlit's own protocol, for load tests without browsers.

It does what the Streamlit frontend does on the wire: connect to `/_stcore/stream`, send
`BackMsg.rerun_script` with a `ClientState` (query string, page, widget states), and read
`ForwardMsg`s until `script_finished`. Widget ids are read from the elements of the previous
run (an id ends with the widget's user key), so `click("ff.next")` presses the button whose
key is `ff.next`, as a browser click would (a trigger value; inside a fragment, a fragment
rerun). One session = one websocket = one Streamlit session on the server.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.common import user_key_from_element_id
from websockets.asyncio.client import connect

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        FINISHED.FINISHED_WITH_COMPILE_ERROR}


@dataclass
class RunResult:
    """What one request (a BackMsg) cost and what came back."""

    seconds: float
    bytes_received: int
    n_messages: int
    errors: list = field(default_factory=list)  # exception elements, compile errors
    elements: dict = field(default_factory=dict)  # element type -> count


class StreamlitSession:
    """One simulated browser tab talking to a Streamlit server over its websocket."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 120.0):
        self.url = f"ws://{host}:{port}/_stcore/stream"
        self.timeout = timeout
        self.ws = None
        self.query_string = ""
        self.pages: dict[str, str] = {}  # page title -> page_script_hash
        self.page_hash = ""
        self.widgets: dict[str, tuple[str, str]] = {}  # user key -> (element id, fragment id)
        self.texts: list[str] = []  # markdown/alert bodies of the last full run

    async def connect(self, query_string: str = "") -> RunResult:
        """Open the websocket and run the app once, like opening the link in a new tab."""
        self.query_string = query_string
        # The first subprotocol entry is the real one; later entries carry tokens we do
        # not have (XSRF, a session to resume). No Origin header: allowed as same-host.
        self.ws = await connect(self.url, subprotocols=["streamlit"], max_size=None,
                                open_timeout=self.timeout, ping_interval=None)
        return await self.rerun()

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def rerun(self, widget_states=(), page_hash: str | None = None,
                    fragment_id: str = "") -> RunResult:
        """Send one rerun request and wait for its script to finish."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = self.page_hash if page_hash is None else page_hash
        cs.fragment_id = fragment_id
        cs.widget_states.widgets.extend(widget_states)
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._read_run(start, full=not fragment_id), self.timeout)

    async def _read_run(self, start: float, full: bool) -> RunResult:
        result = RunResult(0.0, 0, 0)
        if full:
            self.widgets = {}
            self.texts = []
        while True:
            data = await self.ws.recv()
            result.bytes_received += len(data)
            result.n_messages += 1
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                self._read_delta(fwd.delta, result)
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in fwd.navigation.app_pages}
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "session_event":
                event = fwd.session_event.WhichOneof("type")
                if event == "script_compilation_exception":
                    result.errors.append(f"compile error: {fwd.session_event}")
            elif kind == "page_not_found":
                result.errors.append(f"page not found: {fwd.page_not_found.page_name}")
            elif kind == "script_finished" and fwd.script_finished in DONE:
                if fwd.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    result.errors.append("script finished with a compile error")
                result.seconds = time.perf_counter() - start
                return result

    def _read_delta(self, delta, result: RunResult):
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        etype = element.WhichOneof("type")
        result.elements[etype] = result.elements.get(etype, 0) + 1
        if etype == "exception":
            result.errors.append(f"{element.exception.type}: {element.exception.message}")
            return
        if etype in ("markdown", "alert"):
            self.texts.append(getattr(element, etype).body)
        widget = getattr(element, etype)
        element_id = getattr(widget, "id", "") if etype else ""
        key = user_key_from_element_id(element_id) if element_id else None
        if key:
            self.widgets[key] = (element_id, delta.fragment_id)

    # ---- user actions ----

    async def switch_page(self, title: str) -> RunResult:
        """Open another page from the navigation, as a click in the page menu does."""
        return await self.rerun(page_hash=self.pages[title])

    async def click(self, key: str) -> RunResult:
        """Press the button with this key (a fragment rerun when it sits in a fragment)."""
        element_id, fragment_id = self.widgets[key]
        state = WidgetState(id=element_id, trigger_value=True)
        return await self.rerun([state], fragment_id=fragment_id)

    async def set_value(self, key: str, kind: str, value) -> RunResult:
        """Set a widget's value (kind: int_value, double_value, string_value, bool_value)."""
        element_id, fragment_id = self.widgets[key]
        state = WidgetState(id=element_id, **{kind: value})
        return await self.rerun([state], fragment_id=fragment_id)
