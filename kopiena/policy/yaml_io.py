"""YAML in and out, with every error reported by field path and line number.

Loading is deliberately stricter than YAML 1.1: only ``true``/``false`` are booleans (so a language code
``no`` stays a string) and there are no base-60 numbers (so ``22:00`` stays a time, not 1320). Duplicate
keys are an error instead of "the last one wins".

It is also bounded, because any API token (an analyst's included) may send a document to be checked:
at most ``MAX_POLICY_BYTES`` of text and ``MAX_POLICY_DEPTH`` levels of nesting, and no anchors or aliases
(``&a``/``*a``). A policy never needs them, and nine aliases of nine aliases of … expand exponentially
(a 402-byte "billion laughs" document took 31 s of a web thread); 500 levels of ``[[[…]]]`` overflowed
the composer's recursion. Each is refused before anything is built, with the line where it was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from django.utils.translation import gettext as _
from pydantic import ValidationError

from kopiena.policy.schema import PolicyDocument


@dataclass(frozen=True)
class PolicyError:
    """One problem in a policy document: where (dotted field path, 1-based line) and what."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path or '(document)'}: {self.message}"


class PolicyInvalid(Exception):
    """The document was refused; ``errors`` lists every problem, not only the first."""

    def __init__(self, errors: list[PolicyError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


MAX_POLICY_BYTES = 256 * 1024
MAX_POLICY_DEPTH = 50


class _Refused(yaml.MarkedYAMLError):
    """A document outside the parser's bounds (an alias, too deep); ``problem`` is the translated reason."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases and nesting deeper than ``MAX_POLICY_DEPTH``.

    Checked in ``compose_node``, i.e. on the event stream before any node is built or expanded.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                problem=_(
                    "anchors and aliases (&name, *name) are not allowed in a policy; write the values out"
                ),
                problem_mark=event.start_mark,
            )
        if self._depth >= MAX_POLICY_DEPTH:
            raise _Refused(
                problem=_("the document is nested more than %(depth)s levels deep")
                % {"depth": MAX_POLICY_DEPTH},
                problem_mark=event.start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# Rebuild the implicit resolvers without YAML 1.1's yes/no/on/off booleans and base-60 numbers.
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)


class _Dumper(yaml.SafeDumper):
    """Block style, Unicode kept readable, lists indented under their key."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def dump_yaml(document: PolicyDocument) -> str:
    """Canonical YAML of the document: same document, same text (used for export, storage and diffs)."""
    return yaml.dump(
        document.to_data(),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _compose(text: str) -> tuple[yaml.Node | None, object]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _duplicate_keys(node: yaml.Node, path: tuple = ()) -> list[PolicyError]:
    errors = []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                errors.append(
                    PolicyError(
                        _dotted((*path, key)),
                        _line(key_node),
                        _("this key appears twice in the same section"),
                    )
                )
            seen.add(key)
            errors += _duplicate_keys(value_node, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            errors += _duplicate_keys(item, (*path, index))
    return errors


def _node_at(root: yaml.Node, loc: tuple) -> yaml.Node:
    """The node to blame for an error at ``loc`` (a pydantic error location): the key of the deepest
    matched mapping entry, or the deepest matched list item. Parts that are not keys (pydantic's
    "[key]", validator names) are skipped; a missing key blames its parent."""
    node = blamed = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            # The last occurrence wins in PyYAML, so blame that one.
            match = next(((k, v) for k, v in reversed(node.value) if k.value == str(part)), None)
            if match is None:
                break
            blamed, node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            blamed = node = node.value[part]
        elif isinstance(node, yaml.ScalarNode):
            break
    return blamed


def _dotted(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith(("function-", "[")))


def _message(error: dict) -> str:
    from kopiena.policy.messages import plain_error

    return plain_error(error)


def parse_policy(text: str) -> PolicyDocument:
    """Parse and validate YAML text; raise PolicyInvalid listing every error with path and line."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_POLICY_BYTES:
        raise PolicyInvalid(
            [
                PolicyError(
                    "",
                    None,
                    _("the document is %(size)s KB; a policy may be at most %(limit)s KB")
                    % {"size": -(-size // 1024), "limit": MAX_POLICY_BYTES // 1024},
                )
            ]
        )
    try:
        node, data = _compose(text)
    except _Refused as exc:
        raise PolicyInvalid([PolicyError("", exc.problem_mark.line + 1, exc.problem)]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise PolicyInvalid([PolicyError("", line, f"{_('not valid YAML')}: {exc.problem or exc}")]) from exc
    except yaml.YAMLError as exc:
        raise PolicyInvalid([PolicyError("", None, f"{_('not valid YAML')}: {exc}")]) from exc
    if node is None or not isinstance(data, dict):
        raise PolicyInvalid([PolicyError("", _line(node), _("the document must be a mapping of sections"))])
    errors = _duplicate_keys(node)
    try:
        document = PolicyDocument.model_validate(data)
    except ValidationError as exc:
        errors += [
            PolicyError(_dotted(err["loc"]), _line(_node_at(node, err["loc"])), _message(err))
            for err in exc.errors(include_url=False)
        ]
        document = None
    if errors:
        raise PolicyInvalid(sorted(errors, key=lambda e: (e.line or 0, e.path)))
    return document


def check_policy(text: str) -> list[PolicyError]:
    """Every error in the YAML text (empty list: the document is valid)."""
    try:
        parse_policy(text)
    except PolicyInvalid as exc:
        return exc.errors
    return []
