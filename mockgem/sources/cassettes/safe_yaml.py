"""The only way YAML is read (cassettes, rules files, posted rules): a safe loader on which no
tag can run code, and no alias can make a small document huge.

Tags the safe loader does not know (`!!python/object/apply:multidict._multidict.istr`, Ruby's
`!ruby/object:...`) become the plain data they wrap; Ruby's `!binary` is base64 like `!!binary`.
Aliases are counted before anything is built: a "billion laughs" (each alias standing for ten of
the one before) is refused by what it would expand to, not after it took the memory. libyaml
bounds the nesting (1,000 levels) and parses without recursion.
"""

from __future__ import annotations

import base64
import binascii
import re
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


# Nodes that aliases may add to a document, beyond its own: plenty for a hand-written anchor,
# nothing like the millions of a billion laughs.
ALIAS_BUDGET = 100_000
# An anchor (`&name`) may only stand after a line start, an indicator or a space.
_ANCHOR = re.compile(rb"(?:^|[\s\[{,:?-])&[^\s\[\]{},]", re.MULTILINE)


class AliasBomb(yaml.YAMLError):
    """A document whose aliases would expand past the budget."""


def load_yaml(text: bytes | str, *, strict: bool = False) -> Any:
    """The document; `strict` (rules) refuses unknown tags instead of reading them as plain data."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    if _ANCHOR.search(data):
        check_aliases(data)
    return yaml.load(data, Loader=_BaseLoader if strict else CassetteLoader)  # noqa: S506 - both are safe loaders


def check_aliases(data: bytes, budget: int = ALIAS_BUDGET) -> None:
    """Raises AliasBomb when the aliases of `data` would add more than `budget` nodes."""
    sizes: dict[str, int] = {}
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, nodes so far) of each open collection
    added = 0
    for event in yaml.parse(data, Loader=CassetteLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append((event.anchor, 1))
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_nodes.pop()
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, sizes.get(str(event.anchor), 1)
            added += size
            if added > budget:
                raise AliasBomb(f"its aliases would expand it by more than {budget} nodes (a \"billion laughs\")")
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        else:
            continue
        if anchor is not None:
            sizes[anchor] = size
        if open_nodes:
            parent, count = open_nodes[-1]
            open_nodes[-1] = (parent, count + size)
