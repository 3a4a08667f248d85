"""The R-like boolean expressions of irace conditions and forbidden lines, parsed into
:mod:`algoconf.space.expressions` trees.

Grammar (``&``/``&&`` bind tighter than ``|``/``||``; parentheses group)::

    expr       := conj (("|" | "||") conj)*
    conj       := unit (("&" | "&&") unit)*
    unit       := "(" expr ")" | comparison
    comparison := operand ("==" | "!=" | "<" | ">" | "<=" | ">=") operand
                | NAME "%in%" "c" "(" value ("," value)* ")"
    operand    := NAME | NUMBER | STRING

A bare name is a parameter (R semantics: strings are quoted); a comparison of two parameters is a
relation (forbidden clauses only). Parse errors raise ``ValueError`` with what was expected; the
irace reader turns them into SpaceError with file and line.
"""

from __future__ import annotations

import re

from algoconf.space.expressions import AllOf, AnyOf, Atom, Expr

__all__ = ["parse_r_expression"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"[^"]*"|'[^']*')
      | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<op>%in%|==|!=|<=|>=|&&|\|\||[<>&|(),!])
      | (?P<name>[A-Za-z_.][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_FLIP = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos or m.lastgroup is None:  # a match is one of the named groups
            raise ValueError(f"unexpected character {text[pos:].strip()[:1]!r} at column {pos + 1}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next_is(self, *values: str) -> bool:
        """Whether the next token is one of ``values`` (False at the end)."""
        tok = self.peek()
        return tok is not None and tok[1] in values

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise ValueError("the expression ends too early")
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.take()
        if tok[1] != value:
            raise ValueError(f"expected {value!r}, got {tok[1]!r}")

    def expr(self) -> Expr:
        parts = [self.conj()]
        while self.next_is("|", "||"):
            self.take()
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def conj(self) -> Expr:
        parts = [self.unit()]
        while self.next_is("&", "&&"):
            self.take()
            parts.append(self.unit())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def unit(self) -> Expr:
        tok = self.peek()
        if tok is not None and tok[1] == "(":
            self.take()
            inner = self.expr()
            self.expect(")")
            return inner
        if tok is not None and tok[1] == "!":
            raise ValueError("negation '!' is not supported: write the comparison with != or %in% the other values")
        return self.comparison()

    def operand(self) -> tuple[str, str]:
        kind, value = self.take()
        if kind == "string":
            return "value", value[1:-1]
        if kind == "number":
            return "value", value
        if kind == "name":
            return "name", value
        raise ValueError(f"expected a parameter name or a value, got {value!r}")

    def comparison(self) -> Atom:
        left = self.operand()
        kind, op = self.take()
        if op == "%in%":
            if left[0] != "name":
                raise ValueError(f"%in% needs a parameter on its left, got {left[1]!r}")
            name_kind, name = self.take()
            if name != "c":
                raise ValueError(f"expected c(...) after %in%, got {name!r}")
            self.expect("(")
            values = [self.operand()]
            while self.next_is(","):
                self.take()
                values.append(self.operand())
            self.expect(")")
            for k, v in values:
                if k != "value":
                    raise ValueError(f"c(...) takes values, got parameter name {v!r} (quote strings)")
            return Atom(left[1], "in", tuple(v for _, v in values))
        if op not in _FLIP:
            raise ValueError(f"expected a comparison (==, !=, <, >, <=, >=, %in%), got {op!r}")
        right = self.operand()
        if left[0] == "value" and right[0] == "name":
            left, right, op = right, left, _FLIP[op]
        if left[0] != "name":
            raise ValueError(f"a comparison needs a parameter name, got {left[1]!r} {op} {right[1]!r}")
        return Atom(left[1], op, (right[1],), ref=right[0] == "name")


def parse_r_expression(text: str) -> Expr:
    """Parse one irace condition or forbidden expression; ValueError says what was expected."""
    parser = _Parser(text)
    if not parser.tokens:
        raise ValueError("empty expression")
    expr = parser.expr()
    extra = parser.peek()
    if extra is not None:
        raise ValueError(f"unexpected {extra[1]!r} after a complete expression")
    return expr
