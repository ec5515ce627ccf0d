"""Benchmarks behind ``rapport bench``: each area has a module with ``run(quick) -> list[Result]``.

Performance targets live here and in the README, never in timed tests.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass

#: area name -> module with a ``run(quick: bool) -> list[Result]`` function
AREAS: dict[str, str] = {
    "analyser": "simulator.bench.analyser",
    "voice": "simulator.bench.voice",
    "store": "simulator.bench.store",
    "llm": "simulator.bench.llm",
    "matcher": "simulator.bench.matcher",
}


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: float | None = None
    #: "max" when lower is better, "min" when higher is better
    direction: str = "max"
    detail: str = ""

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.direction == "max" else self.value >= self.target

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def run_area(area: str, quick: bool = False) -> list[Result]:
    return importlib.import_module(AREAS[area]).run(quick)
