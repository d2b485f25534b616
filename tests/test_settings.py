"""One definition of the settings: the same names, checked, for Config, MockGemServer, the
pytest marker and ini options; a typo is one line naming it and the valid names."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from mockgem import Config, ConfigError, MockGemServer
from mockgem.config import RecordMode
from mockgem.pytest_plugin import ini_settings
from mockgem.settings import ModeName, Settings
from tests.conftest import EXAMPLE_RULES

# Where a keyword accepts more than the Config field stores: the mode by its name too.
WIDENED = {"mode": RecordMode | ModeName}


def test_settings_have_the_names_and_types_of_config_fields() -> None:
    hints = typing.get_type_hints(Settings, include_extras=True)
    fields = {name: field.annotation for name, field in Config.model_fields.items() if name != "rules"}
    assert hints == fields | WIDENED


def test_settings_every_one_but_mappings_has_an_ini_option() -> None:
    assert set(ini_settings()) == set(typing.get_type_hints(Settings)) - {"file_processing_by_type"} | {"rules"}


def test_mock_gem_server_keeps_keywords_given_with_a_config() -> None:
    server = MockGemServer(Config(port=0, seed=3), rules=EXAMPLE_RULES, mode="auto")
    assert (server.config.rules, server.config.mode, server.config.seed) == ((EXAMPLE_RULES,), RecordMode.AUTO, 3)


def test_mock_gem_server_typo_names_the_setting_and_the_close_one() -> None:
    with pytest.raises(ConfigError) as raised:
        MockGemServer(fualts=("503",))  # type: ignore[call-arg]
    assert str(raised.value).startswith("MockGemServer: unknown setting 'fualts' (did you mean 'faults'?); valid settings: host, port,")


def test_mock_gem_server_bad_value_is_one_readable_line() -> None:
    with pytest.raises(ConfigError) as raised:
        MockGemServer(journal_size=0)
    assert str(raised.value) == "MockGemServer: journal_size=0: Input should be greater than or equal to 1"


MARKED = """
import pytest

@pytest.mark.mockgem(fualts=("503",))
def test_typo(mockgem):
    pass

@pytest.mark.mockgem(journal_size=0)
def test_bad_value(mockgem):
    pass
"""

INI_TESTS = """
from google import genai

def test_rules_from_ini(mockgem):
    client = genai.Client()
    assert client.models.generate_content(model="gemini-2.5-flash", contents="weather?").text == "Sunny, 21 C"
    assert mockgem.config.seed == 7 and [str(rule) for rule in mockgem.config.rules] == [{rules!r}]
"""


def test_marker_typo_and_bad_value_fail_the_test_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marked=MARKED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "*@pytest.mark.mockgem: unknown setting 'fualts' (did you mean 'faults'?); valid settings: *",
        "*@pytest.mark.mockgem: journal_size=0: Input should be greater than or equal to 1*",
    ])


def test_ini_options_set_every_test_s_settings(pytester: pytest.Pytester, tmp_path: Path) -> None:
    rules = pytester.path / "rules.yaml"
    rules.write_text(EXAMPLE_RULES.read_text())
    pytester.makeini("[pytest]\nmockgem_seed = 7\nmockgem_mode = replay\nmockgem_rules = rules.yaml\n")
    pytester.makepyfile(test_ini=INI_TESTS.format(rules=str(rules)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)
