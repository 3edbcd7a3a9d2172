"""The listening query language: parse a saved query into a tree and match texts against it.

Pure Python (no Django). The language, for people who write Brand24-style queries::

    kafija                 a word (whole word; ``kafij*`` matches every word starting with "kafij")
    "Rīgas kafija"          a phrase: these words next to each other
    #kafija                a hashtag;  @kopiena  an account named in the text (or the author)
    a b                    both (an implicit AND);  a AND b  the same
    a OR b                 either;  NOT a  /  -a   without it;  ( … )  grouping

Operators are upper-case (so "and", "or" and "not" stay searchable words). Matching ignores case and
diacritics (``kafija`` finds "KAFIJA" and "kafijā", ``ёлка`` finds "елка"), for lv, ru and en alike.

:func:`parse` never raises anything but :class:`QuerySyntaxError`, which carries a stable ``code`` (the
UI translates it) and the 0-based ``position`` of the problem in the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

MAX_QUERY_CHARS = 2000
MAX_DEPTH = 40
MAX_TERMS = 200


class QuerySyntaxError(ValueError):
    """``code`` is one of ERROR_CODES; ``position`` the 0-based character index it refers to."""

    def __init__(self, code: str, position: int, detail: str = ""):
        self.code = code
        self.position = position
        self.detail = detail
        super().__init__(f"{ERROR_CODES.get(code, code)} (at character {position + 1})")


# English defaults; the forms translate by code (kopiena.listening.forms.syntax_error_message).
ERROR_CODES = {
    "empty": "The query is empty",
    "too_long": "The query is too long",
    "too_deep": "Too many nested parentheses",
    "too_many_terms": "Too many terms",
    "unclosed_quote": "A quote is not closed",
    "empty_phrase": "An empty phrase",
    "unclosed_paren": "A parenthesis is not closed",
    "unexpected_paren": "A closing parenthesis without an opening one",
    "missing_operand": "An operator needs a term on each side",
    "empty_tag": "A # or @ without a name",
    "bad_wildcard": "A * may only end a word of at least two letters",
}


def normalise(text: str) -> str:
    """Case- and diacritics-insensitive form: casefold, decompose, drop combining marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# ---------------------------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Word:
    text: str  # normalised
    prefix: bool = False
    # as written (lower-cased, diacritics kept): what a platform's search is asked for
    spelled: str = field(default="", compare=False)


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]  # normalised
    # as written (lower-cased, diacritics kept): what a platform's search is asked for
    spelled: str = field(default="", compare=False)


@dataclass(frozen=True)
class Hashtag:
    tag: str  # normalised, without '#'
    # as written (lower-cased, diacritics kept): what a platform's search is asked for
    spelled: str = field(default="", compare=False)


@dataclass(frozen=True)
class Handle:
    handle: str  # normalised, without '@'
    # as written (lower-cased, diacritics kept): what a platform's search is asked for
    spelled: str = field(default="", compare=False)


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Word | Phrase | Hashtag | Handle | Not | And | Or

# ------------------------------------------------------------------------------------------ tokens

_TEXT_TOKEN = re.compile(r"[#@]?\w+(?:[.\-'’@]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class _Token:
    kind: str  # word, phrase, hashtag, handle, and, or, not, lparen, rparen
    value: str
    position: int


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "(":
            tokens.append(_Token("lparen", ch, i))
            i += 1
            continue
        if ch == ")":
            tokens.append(_Token("rparen", ch, i))
            i += 1
            continue
        if ch in '"“”„«»':
            closers = {"“": "”", "„": "“”", "«": "»"}.get(ch, '"”')
            end = next((j for j in range(i + 1, n) if source[j] in closers + '"'), -1)
            if end < 0:
                raise QuerySyntaxError("unclosed_quote", i)
            tokens.append(_Token("phrase", source[i + 1 : end], i))
            i = end + 1
            continue
        if ch == "-" and i + 1 < n and not source[i + 1].isspace():  # "-word": NOT word
            tokens.append(_Token("not", ch, i))
            i += 1
            continue
        start = i
        while i < n and not source[i].isspace() and source[i] not in '()"“”„«»':
            i += 1
        raw = source[start:i]
        kind = {"AND": "and", "OR": "or", "NOT": "not"}.get(raw)
        if kind:
            tokens.append(_Token(kind, raw, start))
        elif raw.startswith("#"):
            tokens.append(_Token("hashtag", raw[1:], start))
        elif raw.startswith("@"):
            tokens.append(_Token("handle", raw[1:], start))
        else:
            tokens.append(_Token("word", raw, start))
    return tokens


# ------------------------------------------------------------------------------------------ parser


class _Parser:
    def __init__(self, source: str, tokens: list[_Token]):
        self.source = source
        self.tokens = tokens
        self.i = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def end_position(self) -> int:
        return len(self.source)

    def parse(self) -> Node:
        node = self.or_expr(0)
        token = self.peek()
        if token is not None:  # only a stray ')' can be left over
            raise QuerySyntaxError("unexpected_paren", token.position)
        return node

    def or_expr(self, depth: int) -> Node:
        nodes = [self.and_expr(depth)]
        while (token := self.peek()) is not None and token.kind == "or":
            self.i += 1
            nodes.append(self.and_expr(depth, after=token))
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self, depth: int, after: _Token | None = None) -> Node:
        nodes = [self.unary(depth, after)]
        while (token := self.peek()) is not None and token.kind not in ("or", "rparen"):
            if token.kind == "and":
                self.i += 1
                nodes.append(self.unary(depth, token))
            else:
                nodes.append(self.unary(depth, None))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self, depth: int, after: _Token | None) -> Node:
        if depth > MAX_DEPTH:
            token = self.peek()
            raise QuerySyntaxError("too_deep", token.position if token else self.end_position())
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("missing_operand", after.position if after else self.end_position())
        if token.kind == "not":
            self.i += 1
            return Not(self.unary(depth + 1, token))
        if token.kind in ("and", "or"):
            raise QuerySyntaxError("missing_operand", token.position)
        if token.kind == "rparen":
            if after is not None:
                raise QuerySyntaxError("missing_operand", after.position)
            raise QuerySyntaxError("unexpected_paren", token.position)
        if token.kind == "lparen":
            self.i += 1
            if (inner := self.peek()) is not None and inner.kind == "rparen":
                raise QuerySyntaxError("missing_operand", inner.position)
            node = self.or_expr(depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise QuerySyntaxError("unclosed_paren", token.position)
            self.i += 1
            return node
        self.i += 1
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError("too_many_terms", token.position)
        return self.term(token)

    def term(self, token: _Token) -> Node:
        if token.kind == "phrase":
            words = tuple(w.lstrip("#@") for w in _TEXT_TOKEN.findall(normalise(token.value)))
            words = tuple(w for w in words if w)
            if not words:
                raise QuerySyntaxError("empty_phrase", token.position)
            spelled = " ".join(token.value.casefold().split())
            return Phrase(words, spelled) if len(words) > 1 else Word(words[0], spelled=spelled)
        if token.kind in ("hashtag", "handle"):
            name = normalise(token.value).strip()
            if not name or not _TEXT_TOKEN.fullmatch(name):
                raise QuerySyntaxError("empty_tag", token.position)
            spelled = token.value.casefold().strip()
            return Hashtag(name, spelled) if token.kind == "hashtag" else Handle(name, spelled)
        raw = normalise(token.value)
        prefix = raw.endswith("*")
        core = raw.rstrip("*")
        if "*" in core or (prefix and len(core) < 2):
            raise QuerySyntaxError("bad_wildcard", token.position)
        words = [w.lstrip("#@") for w in _TEXT_TOKEN.findall(core)]
        words = [w for w in words if w]
        if not words:  # punctuation only ("!!!", "-"): nothing a text can contain as a word
            raise QuerySyntaxError("empty_tag", token.position)
        spelled = token.value.casefold().rstrip("*")
        if len(words) > 1:  # "e-pasts", "u.c.": the words next to each other, like a phrase
            return Phrase(tuple(words), spelled)
        return Word(words[0], prefix=prefix, spelled=spelled)


def parse(source: str) -> Node:
    """The tree of ``source``; raises :class:`QuerySyntaxError` (code, position) for anything wrong."""
    if not isinstance(source, str):
        raise QuerySyntaxError("empty", 0)
    if len(source) > MAX_QUERY_CHARS:
        raise QuerySyntaxError("too_long", MAX_QUERY_CHARS)
    if not source.strip():
        raise QuerySyntaxError("empty", 0)
    tokens = _tokens(source)
    if not tokens:
        raise QuerySyntaxError("empty", 0)
    return _Parser(source, tokens).parse()


def check(source: str) -> QuerySyntaxError | None:
    """``None`` when ``source`` is a valid query, else the error (for forms)."""
    try:
        parse(source)
    except QuerySyntaxError as exc:
        return exc
    return None


# ------------------------------------------------------------------------------------------ matching


@dataclass(frozen=True)
class TextIndex:
    """A text prepared for matching: its normalised words in order, its hashtags and handles."""

    words: tuple[str, ...]
    word_set: frozenset[str]
    hashtags: frozenset[str]
    handles: frozenset[str]


def index_text(text: str, author: str = "") -> TextIndex:
    words: list[str] = []
    hashtags: set[str] = set()
    handles: set[str] = set()
    for token in _TEXT_TOKEN.findall(normalise(text or "")):
        if token.startswith("#"):
            hashtags.add(token[1:])
            words.append(token[1:])
        elif token.startswith("@"):
            handle = token[1:]
            handles.add(handle)
            handles.add(handle.split("@", 1)[0])  # @user@instance also names user
            words.append(handle)
        else:
            words.append(token)
    if author:
        handle = normalise(author).lstrip("@")
        handles.add(handle)
        handles.add(handle.split("@", 1)[0])
    return TextIndex(tuple(words), frozenset(words), frozenset(hashtags), frozenset(handles))


def _phrase_in(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    first = phrase[0]
    return any(word == first and words[start : start + size] == phrase for start, word in enumerate(words))


def evaluate(node: Node, doc: TextIndex) -> bool:
    """Whether the prepared text ``doc`` matches ``node`` (recursion is bounded by MAX_DEPTH)."""
    if isinstance(node, Word):
        if node.prefix:
            return any(w.startswith(node.text) for w in doc.word_set)
        return node.text in doc.word_set
    if isinstance(node, Phrase):
        return _phrase_in(doc.words, node.words)
    if isinstance(node, Hashtag):
        return node.tag in doc.hashtags
    if isinstance(node, Handle):
        return node.handle in doc.handles
    if isinstance(node, Not):
        return not evaluate(node.node, doc)
    if isinstance(node, And):
        return all(evaluate(child, doc) for child in node.nodes)
    return any(evaluate(child, doc) for child in node.nodes)


class Matcher:
    """A compiled query: ``matcher.matches(text, author=...)``."""

    def __init__(self, source: str):
        self.source = source
        self.tree = parse(source)

    def matches(self, text: str, *, author: str = "") -> bool:
        return evaluate(self.tree, index_text(text, author))

    def matches_index(self, doc: TextIndex) -> bool:
        return evaluate(self.tree, doc)


@lru_cache(maxsize=512)
def compile_query(source: str) -> Matcher:
    """A cached :class:`Matcher` (raises QuerySyntaxError)."""
    return Matcher(source)


def search_terms(node: Node, limit: int = 5) -> list[str]:
    """What to ask a platform's search for (phrases, words, #hashtags, @handles that a match needs or
    may contain, never the negated ones), at most ``limit``; results are then filtered by the matcher."""
    found: list[str] = []

    def walk(n: Node) -> None:
        if len(found) >= limit or isinstance(n, Not):
            return
        if isinstance(n, Word):
            found.append(n.spelled or n.text)
        elif isinstance(n, Phrase):
            found.append('"' + (n.spelled or " ".join(n.words)) + '"')
        elif isinstance(n, Hashtag):
            found.append("#" + (n.spelled or n.tag))
        elif isinstance(n, Handle):
            found.append("@" + (n.spelled or n.handle))
        elif isinstance(n, And):
            # one positive part of an AND is enough to find every match (the matcher checks the rest)
            for child in n.nodes:
                if not isinstance(child, Not):
                    walk(child)
                    return
        elif isinstance(n, Or):
            for child in n.nodes:
                walk(child)

    walk(node)
    return list(dict.fromkeys(found))[:limit]
