"""The `tolk` command: the app factory wrapped in click, plus the kernel's own commands.

Feature packages add their commands in their ``init_app`` (``app.cli.add_command``), so `tolk --help`
lists everything the installed app can do.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import select

from tolk import create_app
from tolk.accounts import DEMO_TOKENS, create_user, get_user, write_demo_tokens
from tolk.auth import audit, issue_token, revoke_tokens
from tolk.config import SETTINGS, is_secret, markdown_table, mask_url
from tolk.db import alembic_config, db, upgrade
from tolk.errors import TolkError
from tolk.models import User
from tolk.plugins import LazyCommand


class _ReportsTolkErrors(click.Group):
    """Report Tolk's own errors as a message and exit status 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TolkError as exc:
            raise click.ClickException(exc.message) from exc


class TolkGroup(_ReportsTolkErrors, FlaskGroup):
    """The `tolk` command: FlaskGroup around create_app()."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Tolk always builds its own app from TOLK_* settings: Flask's --app/--env-file/--debug do not apply.
        self.params = [p for p in self.params if p.name not in {"app", "env_file", "debug"}]


class TolkAppGroup(_ReportsTolkErrors, AppGroup):
    """``app.cli``: the same error reporting when commands run through the app (tests, `flask`)."""


# A command-line app leaves out views, pages and the API contract (create_app(web=False)): a one-off command
# starts in a fraction of the time. `serve` and `worker` build the whole app.
@click.group(cls=TolkGroup, create_app=lambda: create_app(web=False), add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def cli() -> None:
    """Tolk: translation and localisation workflows for multilingual customer support."""


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=int, help="Worker processes (default TOLK_WEB_WORKERS).")
@click.option("--preload/--no-preload", default=True, show_default=True,
              help="Build the app and its models once before forking the workers, which share their memory.")
@with_appcontext
def serve(host: str, port: int, workers: int | None, preload: bool) -> None:
    """Serve the web app and API with gunicorn."""
    from gunicorn.app.base import BaseApplication

    count = workers or current_app.config["WEB_WORKERS"]

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", count)
            # gthread even with one thread: the sync worker closes every client connection after one request.
            # Its subclass spreads kept-alive connections over the workers (tolk.web_worker).
            self.cfg.set("worker_class", "tolk.web_worker.BalancingThreadWorker")
            self.cfg.set("threads", current_app.config["WEB_THREADS"])
            self.cfg.set("keepalive", 5)
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", "-")
            self.cfg.set("logger_class", "tolk.access_log.AccessLog")  # the same line, built for less CPU
            # The app is built once, in the arbiter, with its large read-only models (language detector,
            # lemmatizers): forked workers share those pages instead of loading a copy each.
            self.cfg.set("preload_app", preload)
            self.cfg.set("post_fork", _post_fork)

        def load(self):
            # In the arbiter, or with --no-preload in each worker before its threads take requests.
            return preload_models(create_app())

    click.echo(f"Tolk is serving on http://{host}:{port}/")
    Server().run()


def preload_models(app: Flask) -> Flask:
    """``app`` with what its packages preload (``tolk.web_preload``), ready to fork web workers from."""
    for load in app.extensions.get("tolk.web_preload", []):
        load(app)
    # What is loaded now is never freed: keep the collector off its pages, or it would copy them into every worker.
    gc.freeze()
    return app


def _post_fork(_server, worker) -> None:
    # A forked worker opens its own database connections (none was opened in the arbiter, but its pool must not
    # be shared), then runs the packages' start-up hooks before taking requests, not in a first request.
    app = worker.app.wsgi()
    app.extensions["tolk.db"][0].dispose(close=False)
    for started in app.extensions.get("tolk.web_started", []):
        started(app)


@click.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations to TOLK_DATABASE_URL."""

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo("database is up to date")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    from alembic import command


    command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load demo users, glossaries, locales and content, all or nothing (idempotent); new demo users'
    API tokens go to instance/demo-tokens.txt once the data is committed."""

    try:
        for seeder in current_app.extensions["tolk.seeders"]:
            seeder(db.session)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        created = db.session.info.pop(DEMO_TOKENS, [])
    if created:
        write_demo_tokens(Path(current_app.instance_path) / "demo-tokens.txt", created)
    click.echo("demo data is loaded")


@click.group("users")
def users_group() -> None:
    """Users, roles and API tokens."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["agent", "reviewer", "editor", "admin"]), required=True)
@click.option("--languages", default="", help="Comma-separated BCP 47 tags (reviewers: native languages).")
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--shift", default="09:00-17:00", show_default=True, help="Working hours, local time.")
@click.option("--days", default="mon,tue,wed,thu,fri", show_default=True, help="Working days.")
@click.option("--password", help="Password for signing in to the web pages.")
@click.option("--token", is_flag=True, help="Create an API token and print it alone on the last line.")
@with_appcontext
def users_add(name, role, languages, timezone, shift, days, password, token) -> None:
    """Create a user."""

    user = create_user(db.session, name, role=role, languages=languages, timezone=timezone, shift=shift,
                       days=days, password=password)
    plain = None
    if token:

        plain = issue_token(db.session, user)
    db.session.commit()
    click.echo(f"created {role} {name}")
    if plain:
        click.echo(plain)


@users_group.command("token")
@click.argument("name")
@with_appcontext
def users_token(name: str) -> None:
    """Create another API token for a user and print it."""

    plain = issue_token(db.session, get_user(db.session, name))
    db.session.commit()
    click.echo(plain)


@users_group.command("revoke")
@click.argument("name")
@with_appcontext
def users_revoke(name: str) -> None:
    """Revoke every API token of a user."""

    count = revoke_tokens(db.session, get_user(db.session, name))
    audit("tokens.revoked", "user", name, actor="cli", detail={"count": count})
    db.session.commit()
    click.echo(f"revoked {count} token(s)")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List users."""

    for user in db.session.scalars(select(User).order_by(User.name)):
        click.echo(f"{user.name:<16} {user.role.value:<9} {user.languages or '-':<12} {user.timezone:<20} "
                   f"{user.shift_start}-{user.shift_end} {user.work_days}")


@click.command("config")
@click.option("--markdown", is_flag=True, help="Print the README's configuration table.")
@with_appcontext
def config_command(markdown: bool) -> None:
    """Show the effective settings (secrets hidden)."""

    if markdown:
        click.echo(markdown_table())
        return
    for s in SETTINGS:
        value = current_app.config.get(s.name)
        shown = "(set)" if is_secret(s.name) and value else _without_password(value)
        click.echo(f"TOLK_{s.name}={shown if shown is not None else ''}")


def _without_password(value):
    """URLs (database, Redis, webhooks, engines) with their credentials masked; other values as they are."""

    if isinstance(value, list):
        return ",".join(mask_url(str(v)) for v in value)
    return mask_url(value) if isinstance(value, str) else value


KERNEL_COMMANDS = (serve, db_group, seed_demo, users_group, config_command)


def init_app(app) -> None:
    """Register the kernel's commands on the app (so `tolk` and the test CLI runner both see them)."""
    app.cli = TolkAppGroup(app.name)
    for command in KERNEL_COMMANDS:
        app.cli.add_command(command)
    # The worker needs RQ and Redis, which no other command loads.
    app.cli.add_command(LazyCommand("worker", "tolk.worker_cli:worker"))


def main() -> None:
    """Entry point of the `tolk` console script."""
    # A Ctrl-C in `make run` ends gunicorn and the worker quietly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.setdefault("FLASK_RUN_FROM_CLI", "false")
    sys.exit(cli.main(prog_name=Path(sys.argv[0]).name or "tolk"))
