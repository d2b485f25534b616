"""Runs the named scenarios (SCENARIOS, comma-separated; all when unset) and prints one JSON line:
{scenario: {...what it saw} | {"error": "Name: message"}}. Shared by the client scripts beside it."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
from collections.abc import Callable
from typing import Any

URL = os.environ["MOCKGEM_URL"]
MODEL = os.environ.get("MOCKGEM_MODEL", "gemini-2.5-flash")


def run_scenarios(scenarios: dict[str, Callable[[], Any]]) -> None:
    wanted = os.environ["SCENARIOS"].split(",") if os.environ.get("SCENARIOS") else list(scenarios)
    results: dict[str, Any] = {}
    # One loop for every scenario: clients cache HTTP clients bound to the loop that made them.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for name in wanted:
        try:
            outcome = scenarios[name]()
            results[name] = loop.run_until_complete(outcome) if inspect.iscoroutine(outcome) else outcome
        except Exception as error:  # noqa: BLE001 - every failure is reported to the test
            results[name] = {"error": f"{type(error).__name__}: {error}"[:2000]}
    print(json.dumps(results, default=str))
