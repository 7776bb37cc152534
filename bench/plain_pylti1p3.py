"""A launch handler written the way pylti1p3's README and Flask example show it.

``ToolConfDict`` built per request from the configuration, ``FlaskOIDCLogin`` and
``FlaskMessageLaunch`` with a Flask-Caching file cache for launch data, no public-key
caching.  This is the baseline ``bench/launch.py`` compares the tool with.
"""

from __future__ import annotations

import json
import tempfile
import typing as t

from flask import Flask
from flask import render_template_string
from flask_caching import Cache
from pylti1p3.contrib.flask import FlaskCacheDataStorage
from pylti1p3.contrib.flask import FlaskMessageLaunch
from pylti1p3.contrib.flask import FlaskOIDCLogin
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.tool_config import ToolConfDict

PAGE = "<h1>Welcome {{ name }}</h1><p>{{ context }}</p>"


def create_plain_app(config_path: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="bench-only",
        CACHE_TYPE="FileSystemCache",
        CACHE_DIR=tempfile.mkdtemp(prefix="plain-lti-cache-"),
        CACHE_DEFAULT_TIMEOUT=600,
    )
    cache = Cache(app)

    def tool_conf() -> t.Any:
        with open(config_path) as handle:
            settings = json.load(handle)
        conf = ToolConfDict(settings["tool"])
        for issuer, private_key in settings["private_keys"].items():
            conf.set_private_key(issuer, private_key, client_id=settings["client_ids"][issuer])
        return conf

    @app.route("/login/", methods=["GET", "POST"])
    def login() -> t.Any:
        flask_request = FlaskRequest()
        target_link_uri = flask_request.get_param("target_link_uri")
        oidc_login = FlaskOIDCLogin(
            flask_request, tool_conf(), launch_data_storage=FlaskCacheDataStorage(cache)
        )
        return oidc_login.redirect(target_link_uri)

    @app.route("/launch/", methods=["POST"])
    def launch() -> t.Any:
        flask_request = FlaskRequest()
        message_launch = FlaskMessageLaunch(
            flask_request, tool_conf(), launch_data_storage=FlaskCacheDataStorage(cache)
        )
        data = message_launch.get_launch_data()
        context = data.get("https://purl.imsglobal.org/spec/lti/claim/context", {})
        return render_template_string(
            PAGE, name=data.get("name", ""), context=context.get("title", "")
        )

    @app.get("/jwks/")
    def jwks() -> t.Any:
        return tool_conf().get_jwks()

    return app
