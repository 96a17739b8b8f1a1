"""Code named by import path and loaded on first use: the commands and callbacks packages register.

A package's ``init_app`` runs in every process, including a one-off `tolk translate`. Registering a
command or a callback by its import path (``"workflows.replies:on_review_decided"``), as RQ names its jobs,
keeps that cheap: the module is imported when the command runs or the callback is first called, not
when the app is built. Health checks are registered here too, so that registering one loads neither the
health views nor Redis.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from werkzeug.utils import import_string


def _load(path: str) -> Any:
    return import_string(path.replace(":", "."))


class LazyCommand(click.Command):
    """A command whose module is imported only when it runs or its help is shown."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(name)
        self.path = path

    @functools.cached_property
    def command(self) -> click.Command:
        """The command itself (imported on first use)."""
        found = _load(self.path)
        if not isinstance(found, click.Command) or found.name != self.name:
            raise TypeError(f"{self.path} is not the command {self.name!r}")
        return found

    def get_short_help_str(self, limit: int = 45) -> str:
        return self.command.get_short_help_str(limit)

    def get_help(self, ctx: click.Context) -> str:
        return self.command.get_help(ctx)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        # The context belongs to the real command, so its options, subcommands and callback take over.
        return self.command.make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        return self.command.invoke(ctx)


def deferred(path: str) -> Callable[..., Any]:
    """The function at ``path`` (``"module:function"``), imported on its first call."""

    @functools.cache
    def target() -> Callable[..., Any]:
        return _load(path)

    def call(*args: Any, **kwargs: Any) -> Any:
        return target()(*args, **kwargs)

    call.__qualname__ = call.__name__ = path
    return call


def register_check(app: Flask, name: str, check: Callable[[], dict[str, Any]]) -> None:
    """Add a component to /healthz (``tolk.health``); ``check`` returns a dict with at least ``ok``."""
    app.extensions.setdefault("tolk.health", {})[name] = check
