"""The only way cassette YAML is read: a safe loader on which no tag can run code.

Tags the safe loader does not know (`!!python/object/apply:multidict._multidict.istr`, Ruby's
`!ruby/object:...`) become the plain data they wrap; Ruby's `!binary` is base64 like `!!binary`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class CassetteLoader(_BaseLoader):
    """Safe loader whose unknown tags load as plain scalars, lists and mappings."""


def _construct_untrusted(loader: CassetteLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node, deep=True)
        # A wrapper object built from one string (istr("Content-Type")) stands for that string,
        # which also keeps it usable as a mapping key.
        return items[0] if len(items) == 1 and isinstance(items[0], str) else items
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _construct_ruby_binary(loader: CassetteLoader, node: yaml.Node) -> bytes:
    text = loader.construct_scalar(node)  # type: ignore[arg-type]
    try:
        return base64.b64decode(str(text))
    except binascii.Error as exc:
        raise yaml.constructor.ConstructorError(None, None, f"bad base64 in !binary: {exc}", node.start_mark)


CassetteLoader.add_constructor("!binary", _construct_ruby_binary)
CassetteLoader.add_multi_constructor("!", _construct_untrusted)
CassetteLoader.add_multi_constructor("tag:", _construct_untrusted)


def load_yaml(text: bytes | str) -> Any:
    return yaml.load(text, Loader=CassetteLoader)  # noqa: S506 - CassetteLoader is a safe loader
