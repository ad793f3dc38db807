"""The bench's figures: a table printed at the end, and the same figures kept for ``--json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def say(message: str) -> None:
    # Flushed at once: a run takes minutes and its progress should show as it goes.
    print(f"[bench] {message}", flush=True)


@dataclass
class Report:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    failed: bool = False

    def ratio(self, name: str, value: float, target: str, ok: bool, detail: str) -> None:
        self.rows.append((name, f"{value:.2f}x", target, ("PASS" if ok else "FAIL") + detail))
        self.figures[name] = {"ratio": round(value, 3), "target": target, "pass": ok}
        self.failed |= not ok

    def at_least(self, name: str, value: float, floor: float) -> None:
        """A ratio whose target is a floor, written as ``>= 0.80``."""
        self.ratio(name, value, f">= {floor:.2f}", value >= floor, "")

    def at_most(self, name: str, value: float, ceiling: float) -> None:
        """A ratio whose target is a ceiling, written as ``<= 5.00``."""
        self.ratio(name, value, f"<= {ceiling:.2f}", value <= ceiling, "")

    def info(self, name: str, value: str, detail: str = "") -> None:
        self.rows.append((name, value, "", detail))
        self.figures[name] = value

    def print(self) -> None:
        width = max(len(r[0]) for r in self.rows)
        print()
        for name, value, target, verdict in self.rows:
            print(f"{name:<{width}}  {value:>12}  {target:<8}  {verdict}")
