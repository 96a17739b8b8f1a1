"""Job functions for tests of the worker processes' warm-up; the worker imports them (PYTHONPATH is the repository)."""

from __future__ import annotations

import os
from typing import Any

from machinery.service import services
from tolk.queue import task


@task
def apertium_pipelines() -> dict[str, Any]:
    """The process that ran the job and, per Apertium mode it holds, whether its pipeline runs and how often it
    started (the job itself translates nothing)."""
    engine = services().engines["apertium"]
    running = engine.health()["pipelines"]
    return {"pid": os.getpid(), "pipelines": {mode: (running[mode], engine.pipeline(mode).starts) for mode in running}}
