"""The throughput scenarios: each request sent to mockgem and to the baseline, alternating, in rounds."""

from __future__ import annotations

import base64
import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import fixtures
from bench.fixtures import Request
from bench.load import Load, PythonLoad, WrkLoad
from bench.processes import BenchError, Server, baseline_command, mockgem_command, send, start

CONNECTIONS = (64, 1)


@dataclass(frozen=True)
class Scenario:
    """A request, the mockgem server that answers it and the status it expects: `main` replays
    cassettes (a replayed test suite's server), `rules` adds rules in front of them, `paced`
    plays recorded timing."""

    name: str
    title: str
    request: Request
    status: int
    server: str = "main"


SCENARIOS = (
    Scenario("unary", "replay generateContent", Request("POST", fixtures.GENERATE, fixtures.UNARY_BODY), 200),
    Scenario("stream", "replay 20-event stream, instant", Request("POST", fixtures.STREAM, fixtures.STREAM_BODY), 200),
    Scenario("paced", "same stream, recorded zero gaps, paced path", Request("POST", fixtures.STREAM, fixtures.STREAM_BODY), 200, "paced"),
    Scenario("rule", "scripted rule (rules in front of cassettes)", Request("POST", fixtures.GENERATE, fixtures.RULE_BODY), 200, "rules"),
    Scenario("openai", "OpenAI chat from a native recording",
             Request("POST", fixtures.CHAT, fixtures.CHAT_BODY, (("Authorization", "Bearer bench"),)), 200),
    Scenario("fault429", "429 fault (X-Mockgem-Fault)", Request("POST", fixtures.GENERATE, fixtures.UNARY_BODY, (("X-Mockgem-Fault", "429"),)), 429),
    Scenario("miss", "miss (no recording matches)", Request("POST", fixtures.GENERATE, fixtures.MISS_BODY), 400),
    Scenario("files_get", "files.get", Request("GET", "/v1beta/files/FILE"), 200),
)


@dataclass
class Row:
    """A scenario's measurements: per connection count, each round's Load for both servers."""

    scenario: Scenario
    runs: dict[tuple[str, int], list[Load]] = field(default_factory=dict)

    def add(self, server: str, connections: int, load: Load) -> None:
        self.runs.setdefault((server, connections), []).append(load)

    def median(self, server: str, connections: int, pick: Callable[[Load], float]) -> float:
        loads = self.runs.get((server, connections), [])
        return statistics.median(pick(load) for load in loads) if loads else 0.0

    def ratio(self, connections: int) -> float:
        """mockgem / baseline requests per second, the median of each round's own ratio."""
        pairs = zip(self.runs.get(("mockgem", connections), []), self.runs.get(("baseline", connections), []), strict=False)
        ratios = [mine.rps / theirs.rps for mine, theirs in pairs if theirs.rps]
        return statistics.median(ratios) if ratios else 0.0

    def latency_ratio(self) -> float:
        mine, theirs = self.median("mockgem", 1, lambda load: load.p50_ms), self.median("baseline", 1, lambda load: load.p50_ms)
        return mine / theirs if theirs else 0.0


class Bench:
    """The mockgem servers and the baseline, started in `workdir` for one run."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: dict[str, Server] = {}
        self.requests: dict[str, Request] = {}

    def __enter__(self) -> Bench:
        cassettes = fixtures.write_scenario_cassettes(self.workdir / "cassettes")
        rules = fixtures.write_rules(self.workdir / "rules.yaml")
        served = ["--cassette-dir", str(cassettes)]
        try:
            self.servers["main"] = start("mockgem", mockgem_command(*served), self.workdir)
            self.servers["rules"] = start("mockgem-rules", mockgem_command(*served, "--rules", str(rules)), self.workdir)
            self.servers["paced"] = start("mockgem-paced", mockgem_command(*served, "--replay-timing", "recorded"), self.workdir)
            self.requests = {scenario.name: self._prepared(scenario) for scenario in SCENARIOS}
            self.servers["baseline"] = start("baseline", baseline_command(self._answers()), self.workdir)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()

    def _prepared(self, scenario: Scenario) -> Request:
        """The scenario's request, with a file uploaded first for files.get."""
        request = scenario.request
        if scenario.name == "files_get":
            request = Request("GET", f"/v1beta/{self._upload()}")
        return request

    def _upload(self) -> str:
        main = self.servers["main"]
        headers = {"x-goog-api-key": "bench", "Content-Type": "text/plain", "X-Goog-Upload-Protocol": "raw"}
        status, _, body = send(main.port, "POST", "/upload/v1beta/files", b"bench file content\n" * 50, headers)
        if status != 200:
            raise BenchError(f"files upload answered {status}: {body[:300]!r}")
        return str(json.loads(body)["file"]["name"])

    def _answers(self) -> Path:
        """What mockgem answered each scenario, checked against its expected status, for the baseline."""
        answers = {}
        for scenario in SCENARIOS:
            request = self.requests[scenario.name]
            port = self.servers[scenario.server].port
            status, headers, body = send(port, request.method, request.path, request.body, request.all_headers(scenario.name))
            if status != scenario.status:
                raise BenchError(f"scenario {scenario.name}: mockgem answered {status}, expected {scenario.status}: {body[:400]!r}")
            stream = "text/event-stream" in dict((k.lower(), v) for k, v in headers).get("content-type", "")
            answers[scenario.name] = {"status": status, "headers": headers, "body": base64.b64encode(body).decode(), "stream": stream}
        path = self.workdir / "answers.json"
        path.write_text(json.dumps(answers))
        return path


def run_rounds(bench: Bench, load: WrkLoad | PythonLoad, rounds: int, seconds: float,
               connections: tuple[int, ...] = CONNECTIONS, report: Callable[[str], None] = print) -> list[Row]:
    """Every scenario, every connection count, both servers; the order of the two flips each round."""
    rows = [Row(scenario) for scenario in SCENARIOS]
    for round_number in range(rounds):
        order = ("mockgem", "baseline") if round_number % 2 == 0 else ("baseline", "mockgem")
        for row in rows:
            for count in connections:
                for who in order:
                    server = bench.servers["baseline" if who == "baseline" else row.scenario.server]
                    row.add(who, count, load.run(server.url, bench.requests[row.scenario.name], row.scenario.name, count, seconds))
            report(f"  round {round_number + 1}/{rounds} {row.scenario.name}: ratio {row.ratio(connections[0]):.2f}")
    return rows
