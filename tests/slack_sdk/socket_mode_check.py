#!/usr/bin/env python3
"""The bot (the real binary) against a Slack written from the official Python SDK's
side rather than this repository's Rust fake: a Socket Mode websocket and a Web
API on 127.0.0.1 that build what they send and read what they get with
`slack_sdk`'s own classes (`slack_sdk.socket_mode.request.SocketModeRequest`,
`...response.SocketModeResponse`, the Block Kit models through check_blocks.py).

The SDK's own mock servers (tests/slack_sdk/socket_mode/mock_socket_mode_server.py
and mock_web_api_server.py in slackapi/python-slack-sdk) are not shipped on PyPI
and may not be copied here, and their Socket Mode server sends `hello` only after
the client spoke first, which a client that waits for `hello` never does; this
is the closest honest equivalent (tests/fixtures/SPECS.md). It copies the shapes
of the SDK mock's envelopes and hello, not its code.

Steps: the bot opens a connection (apps.connections.open, then the websocket),
gets `hello`, gets a `slash_commands` envelope `/interview ask docker volumes`
and must ack it within 3 s; its answer (ack payload or response_url) must pass
the Block Kit checks; then a `block_actions` envelope clicks the answer's first
button and must be acked within 3 s. Every wait is bounded; only 127.0.0.1.

Usage: socket_mode_check.py PATH/TO/interview-bot   (run from the repository root)
Prints "N passed, N failed"; exit status 1 on any failure.
"""

import base64
import hashlib
import json
import os
import queue
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_blocks  # noqa: E402

WAIT = 20.0  # the longest any step waits
ACK_WITHIN = 3.0  # Slack's limit for acknowledging an envelope
TEAM, APP, BOT_USER, BOT_ID, USER, CHANNEL = "T111", "A111", "U0BOT", "B0BOT", "U111", "C111"
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []  # (path, api method or None, body dict)
        self.socket = None  # the open websocket's connection
        self.incoming = queue.Queue()  # text frames from the bot
        self.connected = threading.Event()
        self.ts = 0

    def next_ts(self):
        with self.lock:
            self.ts += 1
            return f"1800000000.{self.ts:06d}"


STATE = State()


def send_frame(conn, text):
    data = text.encode()
    header = bytes([0x81])
    if len(data) < 126:
        header += bytes([len(data)])
    elif len(data) < 65536:
        header += bytes([126]) + struct.pack(">H", len(data))
    else:
        header += bytes([127]) + struct.pack(">Q", len(data))
    conn.sendall(header + data)


def read_exact(conn, n):
    out = b""
    while len(out) < n:
        chunk = conn.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed")
        out += chunk
    return out


def read_frames(conn):
    """Text frames from the client, until it closes; answers pings."""
    message = b""
    while True:
        b0, b1 = read_exact(conn, 2)
        opcode, length = b0 & 0x0F, b1 & 0x7F
        if length == 126:
            length = struct.unpack(">H", read_exact(conn, 2))[0]
        elif length == 127:
            length = struct.unpack(">Q", read_exact(conn, 8))[0]
        mask = read_exact(conn, 4) if b1 & 0x80 else b"\0\0\0\0"
        data = bytes(c ^ mask[i % 4] for i, c in enumerate(read_exact(conn, length)))
        if opcode == 8:
            return
        if opcode == 9:
            conn.sendall(bytes([0x8A, len(data)]) + data)
            continue
        if opcode in (0, 1):
            message += data
            if b0 & 0x80:
                STATE.incoming.put(message.decode())
                message = b""


def web_api(method, body):
    channel = body.get("channel", CHANNEL)
    if method == "apps.connections.open":
        port = SERVER.server_address[1]
        return {"ok": True, "url": f"ws://127.0.0.1:{port}/link/?ticket=t"}
    if method == "auth.test":
        return {"ok": True, "url": "https://x.slack.com/", "team": "X", "user": "bot", "team_id": TEAM,
                "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
    if method == "chat.postMessage":
        ts = STATE.next_ts()
        return {"ok": True, "channel": channel, "ts": ts,
                "message": {"type": "message", "ts": ts, "user": BOT_USER, "bot_id": BOT_ID, "text": body.get("text", "")}}
    if method == "chat.update":
        return {"ok": True, "channel": channel, "ts": body.get("ts", "1800000000.000000"), "text": body.get("text", ""),
                "message": {"user": BOT_USER, "bot_id": BOT_ID, "text": body.get("text", "")}}
    if method == "chat.postEphemeral":
        return {"ok": True, "message_ts": STATE.next_ts()}
    if method == "users.info":
        user = body.get("user", "")
        return {"ok": True, "user": {"id": user, "team_id": TEAM, "name": user.lower(), "deleted": False, "real_name": user,
                                     "tz": "UTC", "tz_label": "UTC", "tz_offset": 0, "is_admin": False, "is_owner": False,
                                     "is_primary_owner": False, "is_restricted": False, "is_ultra_restricted": False,
                                     "is_bot": False, "is_app_user": False, "updated": 1800000000}}
    return {"ok": False, "error": "unknown_method"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def fields(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        query = urllib.parse.urlparse(self.path).query
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = dict(urllib.parse.parse_qsl(raw))
        body.update(dict(urllib.parse.parse_qsl(query)))
        return body

    def answer(self, payload):
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        path = urllib.parse.urlparse(self.path).path
        if path.startswith("/link") and self.headers.get("upgrade", "").lower() == "websocket":
            key = self.headers["sec-websocket-key"]
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            self.wfile.write(
                ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
            self.wfile.flush()
            conn = self.connection
            # The hello of the SDK's mock server, in shape.
            send_frame(conn, json.dumps({"type": "hello", "num_connections": 1,
                                         "debug_info": {"host": "applink-111-xxx", "build_number": 10,
                                                        "approximate_connection_time": 18060},
                                         "connection_info": {"app_id": APP}}))
            STATE.socket = conn
            STATE.connected.set()
            try:
                read_frames(conn)
            except (ConnectionError, OSError):
                pass
            self.close_connection = True
            return
        body = self.fields()
        api = path[len("/api/"):] if path.startswith("/api/") else None
        with STATE.lock:
            STATE.requests.append((path, api, body))
        self.answer(web_api(api, body) if api else {"ok": True})

    do_GET = handle_any
    do_POST = handle_any


SERVER = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
SERVER.daemon_threads = True


def envelope(kind, payload, n):
    request = SocketModeRequest(type=kind, envelope_id=f"{n:08d}-0000-4000-8000-000000000000",
                                payload=payload, accepts_response_payload=kind != "events_api")
    frame = request.to_dict()
    frame["accepts_response_payload"] = request.accepts_response_payload
    return request, frame


def wait_ack(envelope_id, within):
    deadline = time.monotonic() + within
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            text = STATE.incoming.get(timeout=left)
        except queue.Empty:
            return None
        message = json.loads(text)
        if message.get("envelope_id") == envelope_id:
            return SocketModeResponse(envelope_id=message["envelope_id"], payload=message.get("payload"))


def wait_request(matches, within):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with STATE.lock:
            found = [r for r in STATE.requests if matches(r)]
        if found:
            return found[0]
        time.sleep(0.05)
    return None


def main(binary):
    threading.Thread(target=SERVER.serve_forever, daemon=True).start()
    port = SERVER.server_address[1]
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok' if ok else 'FAILED'}: {name}{': ' + detail if detail and not ok else ''}")

    work = tempfile.mkdtemp(prefix="slack-sdk-check-")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SLACK_BOT_TOKEN": "xoxb-sdk-check",
        "SLACK_APP_TOKEN": "xapp-sdk-check",
        "INTERVIEW_BOT__SLACK__API_URL": f"http://127.0.0.1:{port}/api",
        "INTERVIEW_BOT__SLACK__CONNECTIONS": "1",
        "INTERVIEW_BOT__INDEX__DIR": os.path.join(work, "index"),
        "INTERVIEW_BOT__DATABASE__URL": f"sqlite://{os.path.join(work, 'bot.db')}",
        "INTERVIEW_BOT__MODEL__ENABLED": "false",
        "INTERVIEW_BOT__MODEL__AUTO_INSTALL": "false",
        "RUST_LOG": "warn",
    }
    log = open(os.path.join(work, "bot.log"), "w")
    bot = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        check("the bot opens a Socket Mode connection (apps.connections.open, websocket, hello)",
              STATE.connected.wait(WAIT * 3))
        if not STATE.connected.is_set():
            return results, work
        response_url = f"http://127.0.0.1:{port}/response/1"
        slash = {"token": "verification-token", "team_id": TEAM, "team_domain": "xxx", "channel_id": CHANNEL,
                 "channel_name": "random", "user_id": USER, "user_name": "testxyz", "command": "/interview",
                 "text": "ask docker volumes", "api_app_id": APP, "response_url": response_url,
                 "trigger_id": "111.222.xxx"}
        request, frame = envelope("slash_commands", slash, 1)
        sent = time.monotonic()
        send_frame(STATE.socket, json.dumps(frame))
        ack = wait_ack(request.envelope_id, WAIT)
        took = time.monotonic() - sent
        check(f"/interview ask is acknowledged within {ACK_WITHIN:.0f} s", ack is not None and took <= ACK_WITHIN,
              f"ack {'none' if ack is None else 'after %.2f s' % took}")
        blocks = (ack.payload or {}).get("blocks") if ack else None
        if not blocks:
            posted = wait_request(lambda r: r[0] == "/response/1" or r[1] == "chat.postMessage", WAIT)
            blocks = posted[2].get("blocks") if posted else None
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
        check("the answer comes with Block Kit blocks", bool(blocks))
        errors = check_blocks.check({"blocks": blocks or []}, "answer")
        check("the answer's blocks pass slack_sdk's models and limits", not errors, "; ".join(errors))
        text = json.dumps(blocks or [])
        check("the answer is about docker volumes", "olume" in text, text[:300])
        buttons = [e for b in (blocks or []) if b.get("type") == "actions" for e in b.get("elements", [])]
        check("the answer has buttons", bool(buttons))
        if buttons:
            button = buttons[0]
            click = {"type": "block_actions", "team": {"id": TEAM, "domain": "xxx"},
                     "user": {"id": USER, "username": "testxyz", "name": "testxyz", "team_id": TEAM},
                     "api_app_id": APP, "token": "verification-token",
                     "container": {"type": "message", "message_ts": "1800000000.000100", "channel_id": CHANNEL,
                                   "is_ephemeral": True},
                     "trigger_id": "111.222.yyy", "channel": {"id": CHANNEL, "name": "random"},
                     "message": {"type": "message", "ts": "1800000000.000100", "text": "answer",
                                 "user": BOT_USER, "bot_id": BOT_ID},
                     "response_url": f"http://127.0.0.1:{port}/response/2",
                     "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "actions",
                                  "text": button["text"], "value": button.get("value", ""),
                                  "action_ts": "1800000000.000200"}]}
            request, frame = envelope("interactive", click, 2)
            sent = time.monotonic()
            send_frame(STATE.socket, json.dumps(frame))
            ack = wait_ack(request.envelope_id, WAIT)
            took = time.monotonic() - sent
            check(f"a click on {button['action_id']!r} is acknowledged within {ACK_WITHIN:.0f} s",
                  ack is not None and took <= ACK_WITHIN,
                  f"ack {'none' if ack is None else 'after %.2f s' % took}")
            reply = wait_request(lambda r: r[0] == "/response/2" or (r[1] or "").startswith("chat."), WAIT)
            blocks = reply[2].get("blocks") if reply else None
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
            errors = check_blocks.check({"blocks": blocks or []}, "after the click") if blocks else []
            check("the click's reply passes slack_sdk's models and limits", reply is not None and not errors,
                  "no reply" if reply is None else "; ".join(errors))
    finally:
        bot.terminate()
        try:
            bot.wait(timeout=15)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait(timeout=5)
        log.close()
    return results, work


if __name__ == "__main__":
    results, work = main(os.path.abspath(sys.argv[1]))
    passed = sum(results)
    failed = len(results) - passed
    if failed:
        print(f"bot log: {os.path.join(work, 'bot.log')}")
        with open(os.path.join(work, "bot.log"), encoding="utf-8", errors="replace") as f:
            print(f.read()[-3000:])
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not results else 0)
