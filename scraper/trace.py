"""What happened to each part of a page: the data behind `--explain` and `rules test`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

Fate = Literal["kept", "removed", "pruned", "dropped"]


@dataclass(frozen=True)
class Decision:
    """The fate of one element, located by its XPath in the parsed page."""

    path: str
    fate: Fate
    # Who decided: "rule:<id> remove .share", "generic remove script", "pruned nav", "score 0.12", ...
    reason: str
    snippet: str = ""


@dataclass
class Trace:
    """Decisions recorded while cleaning one page (only built when asked for)."""

    decisions: list[Decision] = field(default_factory=list)

    def record(self, element: etree._Element, fate: Fate, reason: str) -> None:
        """Note the fate of `element` (call before it is detached from the tree)."""
        try:
            path = element.getroottree().getpath(element)
        except (ValueError, TypeError):
            return
        text = " ".join((element.text_content() if hasattr(element, "text_content") else "").split())
        self.decisions.append(Decision(path, fate, reason, text[:120]))
