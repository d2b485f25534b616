"""`mockgem serve` as a user runs it: the ready line, a request, a clean stop on SIGTERM."""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from mockgem.cli import build_parser, config_from_args
from mockgem.serve_options import parse_duration, parse_processing
from tests.conftest import EXAMPLE_RULES


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "mockgem", "serve", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_serve_prints_ready_line_and_stops_on_sigterm() -> None:
    process = start("--rules", str(EXAMPLE_RULES))
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("mockgem listening on http://127.0.0.1:")
    url = line.rsplit(" ", 1)[-1]
    request = urllib.request.Request(
        f"{url}/v1beta/models/gemini-2.5-flash:generateContent?key=k",
        data=json.dumps({"contents": [{"parts": [{"text": "weather"}]}]}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["candidates"][0]["content"]["parts"][0]["text"] == "Sunny, 21 C"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_bad_rules_file_stops_start_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - reply: {txt: x}\n")
    process = start("--rules", str(bad))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert "rule 0: key 'reply.txt': unknown key" in err


@pytest.mark.parametrize(("text", "seconds"), [("2s", 2.0), ("500ms", 0.5), ("1.5m", 90.0), ("3", 3.0), ("1h", 3600.0)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "parsed"), [("2s", ("", 2.0)), ("video/*=5s", ("video/*", 5.0)), ("image/png=fail", ("image/png", None))])
def test_parse_processing(text: str, parsed: tuple[str, float | None]) -> None:
    assert parse_processing(text) == parsed


@pytest.mark.parametrize("text", ["soon", "=2s", "fail", "video/*=later"])
def test_parse_processing_refuses_nonsense(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_processing(text)


def test_state_flags_reach_the_config(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["serve", "--state-dir", str(tmp_path), "--file-processing", "1s", "--file-processing", "video/*=5s", "--file-processing", "audio/*=fail",
         "--batch-duration", "2s", "--max-file-size", "10MiB", "--max-storage", "1GiB"]
    )
    config = config_from_args(args)
    assert (config.state_dir, config.file_processing, config.file_processing_by_type) == (tmp_path, 1.0, {"video/*": 5.0})
    assert (config.failing_file_types, config.batch_duration) == (("audio/*",), 2.0)
    assert (config.max_file_size, config.max_storage) == (10 * 1024**2, 1024**3)


def test_journal_size_reaches_the_config() -> None:
    assert config_from_args(build_parser().parse_args(["serve", "--journal-size", "5"])).journal_size == 5


def test_fault_seed_and_quota_flags_reach_the_config() -> None:
    args = build_parser().parse_args(
        ["serve", "--fault", "503:0.05", "--fault", "latency:200ms..800ms", "--seed", "42", "--quota", "gemini-2.5-flash:rpm=10"]
    )
    config = config_from_args(args)
    assert (config.faults, config.seed, config.quotas) == (("503:0.05", "latency:200ms..800ms"), 42, ("gemini-2.5-flash:rpm=10",))


def test_bad_fault_flag_stops_start_listing_valid_terms() -> None:
    process = start("--fault", "teapot")
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2 and "unknown fault 'teapot'" in err and "valid faults:" in err


def test_redaction_and_matching_flags_reach_the_config() -> None:
    args = build_parser().parse_args(
        ["serve", "--mode", "record", "--redact-header", "X-Team", "--redact-header", "X-Other", "--redact-query", "user",
         "--redact-path", "systemInstruction", "--hash-blobs-over", "100000", "--ignore-path", "generationConfig.seed", "--match-version"]
    )
    config = config_from_args(args)
    assert (config.redact_headers, config.redact_query, config.redact_paths) == (("X-Team", "X-Other"), ("user",), ("systemInstruction",))
    assert (config.hash_blobs_over, config.ignore_paths, config.match_version) == (100000, ("generationConfig.seed",), True)
    assert config.redaction_rules().headers == frozenset({"X-Team", "X-Other"}) and config.redaction_rules().blob_limit == 100000
    assert config.key_rules().ignored_paths == ("generationConfig.seed",) and config.key_rules().match_version


@pytest.mark.parametrize(("flag", "value"), [("--ignore-path", "a..b"), ("--redact-path", "$"), ("--hash-blobs-over", "lots")])
def test_bad_redaction_or_matching_value_stops_start(flag: str, value: str) -> None:
    process = start(flag, value)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2 and f"argument {flag}: " in err


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        (("--replay-timing", "bogus"), "--replay-timing 'bogus': must be instant, recorded or scaled:F"),
        (("--replay-timing", "scaled:-1"), "--replay-timing 'scaled:-1': must be instant, recorded or scaled:F"),
        (("--journal-size", "0"), "--journal-size 0: Input should be greater than or equal to 1"),
        (("--port", "70000"), "--port 70000: Input should be less than or equal to 65535"),
    ],
)
def test_bad_config_value_stops_start_in_one_line_naming_the_flag(flags: tuple[str, ...], problem: str) -> None:
    process = start(*flags)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2 and err.startswith(f"mockgem: {problem}") and err.count("\n") == 1


def test_missing_cassette_dir_stops_replay_in_one_line(tmp_path: Path) -> None:
    process = start("--cassette-dir", str(tmp_path / "absent"))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert err == f"mockgem: --cassette-dir {tmp_path / 'absent'}: no such directory (replay reads cassettes from it)\n"


def test_malformed_cassette_stops_start_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("interactions:\n- x\n")
    process = start("--cassette-dir", str(tmp_path))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert err == f"mockgem: {tmp_path / 'bad.yaml'}: interactions[0]: interaction #1 is not a mapping\n"


def test_rewrite_flag_reaches_the_config() -> None:
    assert config_from_args(build_parser().parse_args(["serve", "--mode", "record", "--rewrite"])).rewrite is True
    assert config_from_args(build_parser().parse_args(["serve"])).rewrite is False


def test_version_flag_prints_the_package_version() -> None:
    from mockgem import __version__

    done = subprocess.run([sys.executable, "-m", "mockgem", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout == f"mockgem {__version__}\n"


def test_serve_help_groups_its_flags_and_shows_examples() -> None:
    text = build_parser()._subparsers._group_actions[0].choices["serve"].format_help()  # type: ignore[union-attr]
    headings = ["listening:", "sources and modes:", "matching:", "recording and redaction:", "faults and quotas:", "resources (files, cached contents, batches):"]
    assert [text.index(heading) for heading in headings] == sorted(text.index(heading) for heading in headings)
    assert "examples:" in text and "mockgem serve --cassette cassettes/demo.yaml --rules rules.yaml" in text


def test_missing_cassette_file_in_replay_stops_start_naming_it(tmp_path: Path) -> None:
    process = start("--cassette", str(tmp_path / "absent.yaml"))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert err == f"mockgem: --cassette {tmp_path / 'absent.yaml'}: no such file (replay reads it; record it first with --mode record)\n"


def test_cassette_dir_lists_every_bad_file_and_skips_what_is_no_cassette(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text("interactions:\n- x\n")
    (tmp_path / "two.yaml").write_text("interactions: [\n")
    (tmp_path / "data.json").write_text('{"users": [1, 2]}')
    process = start("--cassette-dir", str(tmp_path))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert f"mockgem: skipped {tmp_path / 'data.json'}: not a cassette" in err
    assert f"mockgem: 2 files in {tmp_path} cannot be read as cassettes:\n  {tmp_path / 'one.yaml'}: interactions[0]" in err
    assert f"\n  {tmp_path / 'two.yaml'}: line " in err


def serve_and_ask(*args: str) -> list[str]:
    """The lines `mockgem serve` prints until its access-log line for one generate request."""
    process = start("--rules", str(EXAMPLE_RULES), *args)
    assert process.stdout is not None
    lines = [process.stdout.readline().rstrip("\n")]
    url = lines[0].rsplit(" ", 1)[-1]
    request = urllib.request.Request(f"{url}/v1beta/models/gemini-2.5-flash:generateContent?key=k", data=b'{"contents": [{"parts": [{"text": "weather"}]}]}', method="POST")
    urllib.request.urlopen(request).close()
    while "generateContent" not in lines[-1]:
        lines.append(process.stdout.readline().rstrip("\n"))
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)
    return lines


def test_serve_prints_a_summary_then_one_access_line_per_request() -> None:
    lines = serve_and_ask()
    port = lines[0].rsplit(":", 1)[-1]
    assert lines[1:6] == [
        "  mode        replay: answers from recordings and rules, never touches the network",
        "  cassettes   none given (--cassette FILE or --cassette-dir DIR)",
        f"  rules       7 rules and a default ({EXAMPLE_RULES})",
        "  recordings  none: replay never records",
        f"  inspector   http://127.0.0.1:{port}/_mockgem/",
    ]
    assert re.fullmatch(rf"POST /v1beta/models/gemini-2.5-flash:generateContent 200 rule 0 in {re.escape(str(EXAMPLE_RULES))} \(rules\) \d+\.\dms", lines[6])


def test_serve_quiet_prints_only_the_ready_line(tmp_path: Path) -> None:
    process = start("--quiet", "--rules", str(EXAMPLE_RULES))
    assert process.stdout is not None
    ready = process.stdout.readline()
    url = ready.rsplit(" ", 1)[-1].strip()
    request = urllib.request.Request(f"{url}/v1beta/models/gemini-2.5-flash:generateContent?key=k", data=b'{"contents": [{"parts": [{"text": "x"}]}]}', method="POST")
    urllib.request.urlopen(request).close()
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=10)
    assert ready.startswith("mockgem listening on ") and out == ""


def test_serve_verbose_adds_the_model_and_a_miss_s_whole_message(tmp_path: Path) -> None:
    process = start("--verbose", "--example")
    assert process.stdout is not None
    url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
    request = urllib.request.Request(f"{url}/v1beta/models/gemini-2.5-flash:countTokens?key=k", data=b'{"contents": [{"parts": [{"text": "x"}]}]}', method="POST")
    urllib.request.urlopen(request).close()
    lines = [process.stdout.readline().rstrip("\n") for _ in range(7)]
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)
    assert lines[-2].startswith("POST /v1beta/models/gemini-2.5-flash:countTokens 200 ")
    assert lines[-1] == "  model=gemini-2.5-flash cassette=example.yaml"


def test_ca_prints_the_local_ca_made_on_first_use_in_the_state_dir(tmp_path: Path) -> None:
    printed = subprocess.run([sys.executable, "-m", "mockgem", "ca", "--state-dir", str(tmp_path)], capture_output=True, text=True, check=True)
    path = Path(printed.stdout.strip())
    assert path == tmp_path / "ca" / "ca.pem" and path.read_text().startswith("-----BEGIN CERTIFICATE-----")
    bundle = subprocess.run([sys.executable, "-m", "mockgem", "ca", "--state-dir", str(tmp_path), "--bundle"], capture_output=True, text=True, check=True)
    assert Path(bundle.stdout.strip()).read_text().startswith(path.read_text())


def test_matching_flags_reach_the_config() -> None:
    config = config_from_args(build_parser().parse_args(["serve", "--match-on", "method", "uri", "--strict"]))
    assert (config.match_on, config.strict) == (("method", "uri"), True)
    assert config_from_args(build_parser().parse_args(["serve"])).match_on == ("method", "path", "query", "gemini_body")
