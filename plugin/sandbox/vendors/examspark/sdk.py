"""The simulated SDK bundle our player page loads, and what the player frame tells it.

``GET /sdk/js/exam-player.js`` defines ``ExamSpark.ExamPlayer(element, options)``: it
frames ``/sdk/player`` with the options as query and raises the frame's messages as
events to handlers added with ``on(name, handler)``.  The frame posts
``{"event", "data"}``: ``examSessionSubmitted`` after a submission and ``error``
(``{"status", "message"}``) when it refuses to show the exam, e.g. ``401`` for a login
token it does not know (the real SDK's error event is undocumented; this is the reading
our page is written against).  The bytes never change, so a test can pin their hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import typing as t

from flask import Blueprint
from flask import Response

bp = Blueprint("examspark_sdk", __name__, url_prefix="/sdk/js")

SCRIPT_PATH = "/sdk/js/exam-player.js"
SCRIPT = """(function () {
  var src = document.currentScript.src;
  var base = src.slice(0, src.indexOf("/sdk/js/"));
  var origin = new URL(src).origin;
  function ExamPlayer(element, options) {
    var handlers = {};
    this._handlers = handlers;
    var frame = document.createElement("iframe");
    frame.src = base + "/sdk/player?" + new URLSearchParams(options).toString();
    frame.title = "Exam player";
    frame.style.width = "100%";
    frame.style.height = "24rem";
    frame.style.border = "0";
    element.replaceChildren(frame);
    window.addEventListener("message", function (event) {
      if (event.source !== frame.contentWindow || event.origin !== origin) { return; }
      var message = event.data || {};
      (handlers[message.event] || []).forEach(function (handler) { handler(message.data); });
    });
  }
  ExamPlayer.prototype.on = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push(handler);
  };
  window.ExamSpark = window.ExamSpark || {};
  window.ExamSpark.ExamPlayer = ExamPlayer;
})();
"""


def script_integrity() -> str:
    """The bundle's subresource-integrity hash, as an admin would pin it."""
    digest = hashlib.sha384(SCRIPT.encode()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


@bp.get("/exam-player.js")
def script() -> Response:
    response = Response(SCRIPT, mimetype="text/javascript")
    # Loaded with crossorigin="anonymous" for the integrity check, as from a CDN.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def post_to_embedder(event: str, data: t.Mapping[str, t.Any]) -> str:
    """A script that tells the embedding page's SDK about ``event`` (no-op unframed)."""
    message = json.dumps({"event": event, "data": dict(data)}).replace("<", "\\u003c")
    post = f"parent.postMessage({message}, '*');"
    return f"<script>if (window.parent !== window) {{ {post} }}</script>"
