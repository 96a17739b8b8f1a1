"""Tolk: translation and localisation workflows for multilingual customer support."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

import glossaries
import lqa
import machinery
import workflows
from tolk import config as settings
from tolk.config import PROJECT_ROOT

__version__ = "0.1.0"
#: The feature packages, in the order their ``init_app`` and ``init_web`` run.
FEATURES = (glossaries, machinery, lqa, workflows)


class IdConverter(IntegerConverter):
    """``<int:...>`` limited to the range of a database id."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _secret_key(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: Mapping[str, Any] | None = None, *, web: bool = True) -> Flask:
    """Build the Flask app: settings, database, errors, then each feature package.

    ``web=False`` leaves out what only serving needs (views, pages, the API contract): the command line
    builds such an app, so a one-off command such as `tolk translate` starts in a fraction of the time.
    """
    values = settings.load(config)
    instance = Path(values.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask("tolk", instance_path=str(instance), root_path=str(PROJECT_ROOT),
                template_folder=str(PROJECT_ROOT / "templates"), static_folder=str(PROJECT_ROOT / "static"))
    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{instance / 'tolk.db'}"
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = _secret_key(instance)
    app.config.update(values)
    app.config["MAX_CONTENT_LENGTH"] = values["MAX_UPLOAD_BYTES"] + 64 * 1024
    # Answers keep their keys in the order the code writes them (Flask 3 reads this, not JSON_SORT_KEYS): sorting
    # a reply's 30 keys on every answer cost CPU and put "id" in the middle.
    if isinstance(app.json, DefaultJSONProvider):
        app.json.sort_keys = False
    # Database ids are 64-bit: a larger number in a URL is a 404, not an overflow in the database driver.
    app.url_map.converters["int"] = IdConverter

    # Deferred: these kernel modules import `tolk` (create_app, __version__), and importing `tolk` for its
    # settings alone (migrations, scripts) should not load Flask's views.
    from tolk import cli, errors  # lazy: see above
    from tolk.accounts import seed_demo_team  # lazy: see above
    from tolk.db import db  # lazy: see above

    errors.init_app(app)
    db.init_app(app)
    cli.init_app(app)
    app.extensions["tolk.seeders"] = [seed_demo_team]
    app.extensions["tolk.web"] = web
    # The one upward edge, as in Flask's tutorial: the factory registers each feature package.
    for package in FEATURES:
        package.init_app(app)
    if web:
        _init_web(app)
    return app


def _init_web(app: Flask) -> None:
    """Health probes, the admin API, the pages' kernel, each package's views and pages, then the contract."""
    from tolk import admin_api, health, openapi  # lazy: see create_app
    from tolk import web as pages_kernel  # lazy: see create_app

    app.register_blueprint(health.bp)
    app.register_blueprint(admin_api.bp)
    # The pages' kernel: sign-in, CSRF, UI language, navigation; packages add their pages to it.
    pages_kernel.init_app(app)
    for package in FEATURES:
        package.init_web(app)
    # The API contract last: it documents every route and validates requests (after the CSRF check).
    openapi.init_app(app)
