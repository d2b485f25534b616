"""Config checks what it can when it is made, before any server starts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mockgem.config import Config


@pytest.mark.parametrize("field", ["redact_paths", "ignore_paths"])
def test_unreadable_json_path_is_refused_naming_the_field(field: str) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\n.*cannot read JSON path 'a\.\.b'"):
        Config(**{field: ("a..b",)})


def test_default_config_redacts_and_matches_with_the_defaults_only() -> None:
    config = Config()
    assert config.redaction_rules().json_paths == () and config.redaction_rules().blob_limit is None
    assert config.key_rules().ignored_paths == () and not config.key_rules().match_version
