"""A minimal Streamlit session client: the browser's protocol, without a browser.

It speaks to ``streamlit run`` the way the frontend does (``frontend/connection/src/WebsocketConnection.tsx``,
``frontend/lib/src/FileUploadClient.ts``, ``StreamlitEndpoints.uploadFileUploaderFile``):

* the frontend's first request, an HTTP GET of ``/_stcore/health`` (doInitPings), is what sets the
  ``_streamlit_xsrf`` cookie (the index page does not);
* the websocket ``/_stcore/stream`` is opened with the subprotocols ``["streamlit", <xsrf cookie>]``
  and the cookie itself (the server checks the second entry against the cookie);
* every ``BackMsg`` and ``ForwardMsg`` is Streamlit's own protobuf, in binary frames;
* a script run is asked for with ``BackMsg.rerun_script`` (a ``ClientState``: the page's
  ``page_script_hash`` and the widget states) and is over at ``ForwardMsg.script_finished``
  (a run cut short by ``st.rerun()`` reports ``FINISHED_EARLY_FOR_RERUN`` and the next run follows);
* an upload asks for URLs with ``BackMsg.file_urls_request``, PUTs a multipart body (one part named
  after the file) to the returned URL with the ``X-Xsrftoken`` header and the cookie, then reruns with
  the uploader's ``file_uploader_state_value``;
* a button is a ``trigger_value`` widget state sent with one rerun only.

Like the frontend, the client keeps the widget states it set and drops those of widgets the last
run did not draw. Unlike the frontend it does not echo back values of widgets it never touched
(those keep their defaults on the server), and it sends no ``cached_message_hashes``, so every
delta arrives in full (no ``ref_hash``).
"""

from __future__ import annotations

import re
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

XSRF_COOKIE = "_streamlit_xsrf"
STREAM_PATH = "/_stcore/stream"
FINAL = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


class ClientError(RuntimeError):
    """The server did something a browser would not accept (closed socket, timeout, HTTP error...)."""


@dataclass
class Run:
    """What one request (a rerun, maybe followed by the runs ``st.rerun()`` asks for) showed."""

    seconds: float = 0.0
    status: int = -1
    runs: int = 0
    #: Serialized ForwardMsgs of the last run (search them for text that may sit in Arrow tables).
    raw: list[bytes] = field(default_factory=list)
    #: Every exception element of every run of this request: (type, message).
    exceptions: list[tuple[str, str]] = field(default_factory=list)
    #: st.error / st.warning bodies of the last run.
    alerts: list[str] = field(default_factory=list)
    #: Widget user key or id -> widget id, for the widgets of the last run.
    widgets: dict[str, str] = field(default_factory=dict)
    page_script_hash: str = ""
    page_not_found: bool = False
    deltas: list[Any] = field(default_factory=list)

    def contains(self, needle: str) -> bool:
        b = needle.encode()
        return any(b in r for r in self.raw)

    def find(self, pattern: re.Pattern[bytes]) -> set[str]:
        return {m.decode() for r in self.raw for m in pattern.findall(r)}

    def text(self) -> str:
        """Every string field of the last run's elements, one a line (for humans and simple asserts)."""
        out: list[str] = []
        for element in self.deltas:
            _strings(element, out)
        return "\n".join(out)


def _strings(message: Any, out: list[str]) -> None:
    for fd, value in message.ListFields():
        if fd.type == fd.TYPE_STRING:
            out.extend(value if fd.is_repeated else [value])
        elif fd.type == fd.TYPE_MESSAGE:
            for v in value if fd.is_repeated else [value]:
                _strings(v, out)


def xsrf_cookie(base_url: str, timeout: float = 30) -> str | None:
    """The ``_streamlit_xsrf`` cookie set by the health check the frontend pings first (None if XSRF is off)."""
    with urllib.request.urlopen(base_url + "/_stcore/health", timeout=timeout) as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            if XSRF_COOKIE in jar:
                return jar[XSRF_COOKIE].value
    return None


class StreamlitSession:
    """One browser tab's worth of protocol: a websocket, a session id, widget states."""

    def __init__(self, base_url: str, *, timeout: float = 120.0, watch: re.Pattern[bytes] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        #: Every match of ``watch`` in any message this session ever received (deltas, page info, all).
        self.watch = watch
        self.seen: set[str] = set()
        self.timeout = timeout
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url path and title -> page_script_hash
        self.page_hash = ""
        self.states: dict[str, WidgetState] = {}
        self.messages = 0
        self.xsrf = xsrf_cookie(self.base_url, timeout)
        protocols = ["streamlit", self.xsrf] if self.xsrf else ["streamlit"]
        ws_url = "ws" + self.base_url.removeprefix("http") + STREAM_PATH
        try:
            self.ws = websocket.create_connection(
                ws_url,
                subprotocols=protocols,
                cookie=f"{XSRF_COOKIE}={self.xsrf}" if self.xsrf else None,
                timeout=timeout,
                enable_multithread=True,
            )
        except (OSError, websocket.WebSocketException) as err:
            raise ClientError(f"websocket connect failed: {err!r}") from err
        if self.ws.getsubprotocol() != "streamlit":
            raise ClientError(f"server chose subprotocol {self.ws.getsubprotocol()!r}")

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> StreamlitSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- wire -----------------------------------------------------------------------------------------

    def _send(self, msg: BackMsg) -> None:
        try:
            self.ws.send_bytes(msg.SerializeToString())
        except (OSError, websocket.WebSocketException) as err:
            raise ClientError(f"send failed: {err!r}") from err

    def _recv(self) -> tuple[ForwardMsg, bytes]:
        try:
            opcode, data = self.ws.recv_data()
        except websocket.WebSocketTimeoutException as err:
            raise ClientError(f"no message from the server within {self.timeout} s") from err
        except (OSError, websocket.WebSocketException) as err:
            raise ClientError(f"receive failed: {err!r}") from err
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            raise ClientError("the server closed the websocket")
        if opcode != websocket.ABNF.OPCODE_BINARY:
            raise ClientError(f"unexpected websocket frame (opcode {opcode})")
        self.messages += 1
        if self.watch is not None:
            self.seen.update(m.decode() for m in self.watch.findall(data))
        return ForwardMsg.FromString(data), data

    # -- runs -----------------------------------------------------------------------------------------

    def rerun(self, page: str | None = None, triggers: tuple[str, ...] = ()) -> Run:
        """Ask for a script run (on ``page``, a sidebar title or url path) and wait until it is over."""
        if page is not None:
            if page not in self.pages:
                raise ClientError(f"unknown page {page!r}; the app has {sorted(self.pages)}")
            self.page_hash = self.pages[page]
        state = ClientState(page_script_hash=self.page_hash)
        state.widget_states.widgets.extend(self.states.values())
        for wid in triggers:
            state.widget_states.widgets.append(WidgetState(id=wid, trigger_value=True))
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        start = time.perf_counter()
        self._send(msg)
        run = self._wait_finished()
        run.seconds = time.perf_counter() - start
        # As the frontend does after a run: forget states of widgets that are no longer drawn.
        active = set(run.widgets.values())
        self.states = {k: v for k, v in self.states.items() if k in active}
        return run

    def _wait_finished(self) -> Run:
        run = Run()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            msg, data = self._recv()
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                ns = msg.new_session
                if ns.HasField("initialize") and ns.initialize.session_id:
                    self.session_id = ns.initialize.session_id
                self._learn_pages(ns.app_pages)
                run.runs += 1
                run.raw, run.deltas, run.alerts, run.widgets = [], [], [], {}
                run.page_script_hash = ns.page_script_hash
            elif kind == "navigation":
                self._learn_pages(msg.navigation.app_pages)
                if msg.navigation.page_script_hash:
                    run.page_script_hash = msg.navigation.page_script_hash
            elif kind == "delta":
                run.raw.append(data)
                if msg.delta.WhichOneof("type") == "new_element":
                    self._element(msg.delta.new_element, run)
                elif msg.delta.WhichOneof("type") == "add_block":
                    self._block(msg.delta.add_block, run)
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "script_finished":
                run.status = msg.script_finished
                if run.status in FINAL:
                    if run.page_script_hash:
                        self.page_hash = run.page_script_hash
                    return run
            elif kind in ("parent_message", "auth_redirect"):
                raise ClientError(f"unexpected {kind} message")
        raise ClientError(f"the script run did not finish within {self.timeout} s")

    def _learn_pages(self, app_pages: Any) -> None:
        for p in app_pages:
            if p.page_script_hash:
                # The default page may come with an empty url path: its title always names it.
                for name in (p.url_pathname, p.page_name):
                    if name:
                        self.pages[name] = p.page_script_hash

    @staticmethod
    def _block(block: Any, run: Run) -> None:
        kind = block.WhichOneof("type")
        sub = getattr(block, kind) if kind else None
        if sub is not None and "id" in sub.DESCRIPTOR.fields_by_name and sub.id:
            run.widgets[sub.id] = sub.id

    @staticmethod
    def _element(element: Any, run: Run) -> None:
        run.deltas.append(element)
        kind = element.WhichOneof("type")
        if kind is None:
            return
        sub = getattr(element, kind)
        if kind == "exception":
            run.exceptions.append((sub.type, sub.message))
        elif kind == "alert":
            run.alerts.append(sub.body)
        if "id" in sub.DESCRIPTOR.fields_by_name and sub.id:
            wid: str = sub.id
            run.widgets[wid] = wid
            # "$$ID-<hash>-<user key>": index the widget by its key as well.
            parts = wid.split("-", 2)
            if len(parts) == 3 and parts[2] != "None":
                run.widgets[parts[2]] = wid

    # -- what a person does -----------------------------------------------------------------------------

    def open(self, page: str | None = None) -> Run:
        """The first run of the session (the default page, as a fresh tab)."""
        state = ClientState(page_script_hash="", page_name=page or "")
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        start = time.perf_counter()
        self._send(msg)
        run = self._wait_finished()
        run.seconds = time.perf_counter() - start
        if not self.session_id:
            raise ClientError("no session id in the first new_session message")
        return run

    def go(self, page: str) -> Run:
        return self.rerun(page)

    def click(self, run: Run, key: str) -> Run:
        """Press the button with ``key`` drawn in ``run``."""
        return self.rerun(triggers=(widget_id(run, key),))

    def file_urls(self, names: list[str]) -> list[FileURLs]:
        """Upload URLs for ``names``, asked over the websocket as FileUploadClient.fetchFileURLs does."""
        request_id = str(uuid.uuid4())
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.session_id = self.session_id
        msg.file_urls_request.file_names.extend(names)
        self._send(msg)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            fwd, _ = self._recv()
            if fwd.WhichOneof("type") == "file_urls_response" and fwd.file_urls_response.response_id == request_id:
                if fwd.file_urls_response.error_msg:
                    raise ClientError(f"file_urls_response: {fwd.file_urls_response.error_msg}")
                return list(fwd.file_urls_response.file_urls)
        raise ClientError(f"no file_urls_response within {self.timeout} s")

    def put_file(self, upload_url: str, name: str, content: bytes, mime: str) -> None:
        """PUT the multipart body the frontend builds: one part named after the file."""
        boundary = f"----magicnumber{uuid.uuid4().hex}"
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="{name}"; filename="{name}"\r\n'.encode(),
                f"Content-Type: {mime}\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        url = upload_url if upload_url.startswith("http") else self.base_url + upload_url
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if self.xsrf:
            headers["X-Xsrftoken"] = self.xsrf
            headers["Cookie"] = f"{XSRF_COOKIE}={self.xsrf}"
        req = urllib.request.Request(url, data=body, method="PUT", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                if r.status not in (200, 204):
                    raise ClientError(f"upload answered HTTP {r.status}")
        except OSError as err:
            raise ClientError(f"upload failed: {err!r}") from err

    def upload(self, run: Run, key: str, name: str, content: bytes, mime: str = "text/csv") -> Run:
        """Put a file in the uploader with ``key`` drawn in ``run``; returns the rerun it causes."""
        wid = widget_id(run, key)
        (urls,) = self.file_urls([name])
        self.put_file(urls.upload_url, name, content, mime)
        state = WidgetState(id=wid)
        state.file_uploader_state_value.uploaded_file_info.append(
            UploadedFileInfo(name=name, size=len(content), file_id=urls.file_id, file_urls=urls)
        )
        self.states[wid] = state
        return self.rerun()


def widget_id(run: Run, key: str) -> str:
    if key in run.widgets:
        return run.widgets[key]
    raise ClientError(f"no widget with key {key!r} in the last run")
