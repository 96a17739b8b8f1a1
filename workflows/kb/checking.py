"""The automatic checks of a translated article, segment by segment, with the findings of the pairs a worker
process has checked before remembered (a re-run, a retried job or a sentence many articles share is checked
once): the checks were most of the CPU of a re-run served by the translation memory."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from lqa.checks import CHECKS, CheckConfig, run_checks
from lqa.checks import Segment as CheckedSegment
from workflows.kb.segmentation import Segment

log = logging.getLogger(__name__)

#: Checked (source segment, translation) pairs a process keeps the findings of: about 20 articles of 200 segments.
MEMO_SIZE = 4096

MemoKey = tuple[str, str, str, str, str]


class FindingsMemo:
    """Findings by (source segment, translation, languages, checks and their config), the least recently used
    dropped first; what it hands out is a copy, so no caller can change what the next one gets."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[MemoKey, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: MemoKey) -> list[dict[str, Any]] | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
        return json.loads(found) if found else []

    def put(self, key: MemoKey, findings: list[dict[str, Any]]) -> None:
        kept = json.dumps(findings) if findings else ""  # findings are JSON-ready; a copy that loads quickly
        with self._lock:
            self._items[key] = kept
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


MEMO = FindingsMemo()


def check_segments(segments: Sequence[Segment], texts: Sequence[str], source: str, target: str,
                   check_config: dict[str, Any], memo: FindingsMemo = MEMO) -> list[dict[str, Any]]:
    """Findings of the locale's checks on each (segment, translation), each with its segment's index."""
    try:
        config = CheckConfig.from_dict(check_config)
    except ValueError:
        log.warning("invalid check config for %s; using the default checks", target)
        config, check_config = CheckConfig(), {}
    # The registered checks are part of the key: a check added to the process is run on pairs seen before.
    settings = json.dumps([list(CHECKS), check_config], sort_keys=True, default=str)
    findings: list[dict[str, Any]] = []
    for i, (seg, text) in enumerate(zip(segments, texts, strict=True)):
        key = (seg.text_html, text, source, target, settings)
        found = memo.get(key)
        if found is None:
            found = [f.to_dict() for f in run_checks(CheckedSegment(seg.text_html, text, source, target, fmt="html"),
                                                     config=config)]
            memo.put(key, found)
        findings.extend({**f, "segment": i} for f in found)
    return findings
