"""The regex syntax of Discord's AutoMod (Rust's ``regex`` crate): what it refuses.

Discord compiles ``regex_patterns`` with Rust's ``regex`` crate and refuses the whole rule
when one does not compile. Python's ``re`` is no stand-in: it accepts look-around,
backreferences, atomic groups and escapes such as ``\\Z`` that the crate refuses. This
module checks a pattern against the crate's grammar where patterns go wrong in practice:
groups and brackets balanced, no look-around, no backreferences, only the crate's escapes
and flags, repetitions that repeat something, and well-formed ``{n,m}`` counts. It answers
"refused" only for what the crate refuses (the tests hold its answers against the
crate's); a pattern it lets through may still fail on what it does not model, such as
the size of the compiled program.
"""

from __future__ import annotations

__all__ = ("syntax_error",)

import typing

_LETTER_ESCAPES = frozenset("afnrtvdDsSwWbBAzxuUpP")
"""Letters the crate takes after a backslash (anything else is an unrecognized escape)."""
_LITERAL_ESCAPES: typing.Mapping[str, str] = {
    "a": "\a",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_HEX_DIGITS: typing.Mapping[str, int] = {"x": 2, "u": 4, "U": 8}
"""Fixed-width hexadecimal escapes and their width (``\\x{...}`` takes any width)."""
_FLAGS = frozenset("imsUxR")
_LOOK_AROUND = ("(?=", "(?!", "(?<=", "(?<!")
_GROUP_NAME_CHARACTERS = frozenset("_.[]")
_LARGEST_CODE_POINT = 0x10FFFF


class _RefusedError(Exception):
    def __init__(self, position: int, reason: str) -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason


def syntax_error(pattern: str) -> str | None:
    """Why Discord would refuse ``pattern``, with the character where it goes wrong, or
    None when the pattern follows the crate's syntax as far as this module checks."""
    try:
        _Scanner(pattern).run()
    except _RefusedError as refused:
        return f"{refused.reason} (at character {refused.position + 1})"
    return None


class _Scanner:
    """One left-to-right pass over a pattern; raises :class:`_RefusedError`."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.at = 0
        self.open_groups: list[int] = []
        self.names: set[str] = set()
        self.can_repeat = False
        """Whether something precedes that a repetition operator can apply to."""
        self.verbose = False
        """The x flag was switched on: white space and ``#`` comments are ignored."""

    def run(self) -> None:
        pattern = self.pattern
        while self.at < len(pattern):
            char = pattern[self.at]
            if self.verbose and char.isspace():
                self.at += 1
            elif self.verbose and char == "#":
                end = pattern.find("\n", self.at)
                self.at = len(pattern) if end == -1 else end + 1
            elif char == "\\":
                self.escape()
                self.can_repeat = True
            elif char == "(":
                self.group()
            elif char == ")":
                if not self.open_groups:
                    raise _RefusedError(self.at, "unopened group: a ')' without its '('")
                self.open_groups.pop()
                self.at += 1
                self.can_repeat = True
            elif char == "[":
                self.char_class()
                self.can_repeat = True
            elif char in "*+?{":
                if not self.can_repeat:
                    raise _RefusedError(
                        self.at, f"repetition operator missing expression: nothing before {char!r}"
                    )
                if char == "{":
                    self.counted()
                else:
                    self.at += 1
            elif char == "|":
                self.at += 1
                self.can_repeat = False
            else:
                self.at += 1
                self.can_repeat = True
        if self.open_groups:
            raise _RefusedError(self.open_groups[-1], "unclosed group: a '(' without its ')'")

    def escape(self) -> str | None:
        """Read the escape at ``self.at``; return the character it stands for, or None for
        a class or an assertion (``\\d``, ``\\p{L}``, ``\\b``)."""
        pattern, start = self.pattern, self.at
        if start + 1 >= len(pattern):
            raise _RefusedError(start, "incomplete escape: the pattern ends with a '\\'")
        char = pattern[start + 1]
        self.at = start + 2
        if char.isascii() and char.isdigit():
            raise _RefusedError(start, f"backreferences (\\{char}) are not supported")
        if char == "k":
            raise _RefusedError(start, "backreferences (\\k<name>) are not supported")
        if not char.isascii() or (char.isalpha() and char not in _LETTER_ESCAPES):
            raise _RefusedError(start, f"unrecognized escape sequence \\{char}")
        if char in _HEX_DIGITS:
            return self.hexadecimal(start, _HEX_DIGITS[char])
        if char in "pP" or (char == "b" and pattern.startswith("{", self.at)):
            # \p{Greek}, \pL; \b{start}: a class or an assertion, not one character.
            if pattern.startswith("{", self.at):
                end = pattern.find("}", self.at)
                if end == -1:
                    raise _RefusedError(start, f"unclosed \\{char}{{...}}: no '}}'")
                self.at = end + 1
            elif self.at >= len(pattern):
                raise _RefusedError(start, f"incomplete escape \\{char}")
            else:
                self.at += 1
            return None
        if char.isalpha():
            return _LITERAL_ESCAPES.get(char)
        return char

    def hexadecimal(self, start: int, width: int) -> str:
        pattern = self.pattern
        if pattern.startswith("{", self.at):
            end = pattern.find("}", self.at)
            if end == -1:
                raise _RefusedError(start, "unclosed hexadecimal escape: no '}'")
            digits = pattern[self.at + 1 : end].strip()
            self.at = end + 1
        else:
            digits = pattern[self.at : self.at + width]
            if len(digits) < width:
                raise _RefusedError(start, "incomplete hexadecimal escape")
            self.at += width
        if not digits or any(d not in "0123456789abcdefABCDEF" for d in digits):
            raise _RefusedError(start, f"invalid hexadecimal digits {digits!r}")
        value = int(digits[:8], 16) if len(digits) <= 8 else _LARGEST_CODE_POINT + 1
        if value > _LARGEST_CODE_POINT or 0xD800 <= value <= 0xDFFF:
            raise _RefusedError(start, f"\\x{{{digits}}} is not a Unicode scalar value")
        return chr(value)

    def group(self) -> None:
        pattern, start = self.pattern, self.at
        if pattern.startswith(_LOOK_AROUND, start):
            raise _RefusedError(
                start,
                "look-around (look-ahead and look-behind: (?=, (?!, (?<=, (?<!) is not supported",
            )
        if pattern.startswith("(?P=", start):
            raise _RefusedError(start, "backreferences ((?P=name)) are not supported")
        if pattern.startswith(("(?P<", "(?<"), start):
            self.group_name(pattern.index("<", start) + 1)
        elif pattern.startswith("(?", start):
            if not self.flags(start):
                return  # (?flags): switches flags, opens no group
        else:
            self.at = start + 1
        self.open_groups.append(start)
        self.can_repeat = False

    def group_name(self, first: int) -> None:
        pattern = self.pattern
        end = pattern.find(">", first)
        if end == -1:
            raise _RefusedError(first, "unclosed group name: no '>'")
        name = pattern[first:end]
        if not name:
            raise _RefusedError(first, "empty capture group name")
        if not (name[0].isalpha() or name[0] == "_") or any(
            not (c.isalnum() or c in _GROUP_NAME_CHARACTERS) for c in name
        ):
            raise _RefusedError(
                first, f"invalid capture group name {name!r} (letters, digits, _ . [ ])"
            )
        if name in self.names:
            raise _RefusedError(first, f"duplicate capture group name {name!r}")
        self.names.add(name)
        self.at = end + 1

    def flags(self, start: int) -> bool:
        """Read ``(?flags)`` or ``(?flags:``; True when it opens a group."""
        pattern = self.pattern
        at = start + 2
        negated = False
        last = ""
        while at < len(pattern) and pattern[at] not in ":)":
            char = pattern[at]
            if char == "-":
                if negated:
                    raise _RefusedError(at, "repeated flag negation '-'")
                negated = True
            elif char in _FLAGS:
                if char == "x" and not negated:
                    self.verbose = True
            else:
                raise _RefusedError(
                    at,
                    f"unrecognized flag {char!r}: the flags are i, m, s, U, x and R (no atomic "
                    "groups (?>...), comments (?#...) or conditionals (?(...)...))",
                )
            last = char
            at += 1
        if at >= len(pattern):
            raise _RefusedError(start, "unclosed group: a '(' without its ')'")
        if last == "-":
            raise _RefusedError(at - 1, "dangling flag negation '-'")
        self.at = at + 1
        if pattern[at] == ")":
            if not last:
                raise _RefusedError(start, "empty flag group (?)")
            self.can_repeat = False
            return False
        return True

    def char_class(self) -> None:
        pattern, start = self.pattern, self.at
        depth = 0
        at = start
        while True:
            # At an opening '[': a ']' right after it (or after '[^') is a literal.
            depth += 1
            at += 1
            if pattern.startswith("^", at):
                at += 1
            literal_bracket = True
            left: str | None = None
            after_class = False  # the last item was a class escape such as \d
            while True:
                if at >= len(pattern):
                    raise _RefusedError(start, "unclosed character class: a '[' without its ']'")
                char = pattern[at]
                if char == "]" and not literal_bracket:
                    depth -= 1
                    at += 1
                    left = None
                    if depth == 0:
                        self.at = at
                        return
                    continue
                literal_bracket = False
                if char == "[":
                    end = pattern.find(":]", at)
                    if pattern.startswith("[:", at) and end != -1:
                        at = end + 2  # an ASCII class, [:alpha:]
                        left = None
                        continue
                    break  # a nested class: open it
                if char in "-&~" and pattern.startswith(char, at + 1):
                    at += 2  # a set operation: difference, intersection, symmetric difference
                    left, after_class = None, False
                    continue
                if char == "-" and pattern[at + 1 : at + 2] not in ("", "]"):
                    if after_class:
                        raise _RefusedError(
                            at, "invalid range boundary: a class cannot start a range"
                        )
                    if left is not None:
                        at = self.range_end(left, at + 1)
                        left = None
                        continue
                if char == "\\":
                    self.at = at
                    left = self.escape()
                    after_class = left is None
                    at = self.at
                else:
                    left = char
                    after_class = False
                    at += 1

    def range_end(self, left: str, at: int) -> int:
        """Read a range's end at ``at``; return where the class goes on."""
        pattern = self.pattern
        if pattern[at] == "\\":
            self.at = at
            right = self.escape()
            at = self.at
        elif pattern[at] == "[":
            right = None
            at += 1
        else:
            right = pattern[at]
            at += 1
        if right is None:
            raise _RefusedError(at - 1, "invalid range boundary: a range ends with a character")
        if right < left:
            raise _RefusedError(
                at - 1, f"invalid range {left}-{right}: the start must not be after the end"
            )
        return at

    def counted(self) -> None:
        pattern, start = self.pattern, self.at
        end = pattern.find("}", start)
        if end == -1:
            raise _RefusedError(
                start, "unclosed counted repetition: a '{' without its '}' (\\{ is a literal '{')"
            )
        parts = "".join(pattern[start + 1 : end].split()).split(",")
        numbers = [p for p in parts if p]
        if (
            len(parts) > 2
            or not parts[0]
            or any(not (p.isascii() and p.isdigit()) for p in numbers)
            or any(len(p) > 9 for p in numbers)
        ):
            raise _RefusedError(
                start, "a counted repetition is {n}, {n,} or {n,m} (\\{ is a literal '{')"
            )
        if len(numbers) == 2 and int(numbers[0]) > int(numbers[1]):
            raise _RefusedError(start, "invalid repetition {n,m}: n must not be larger than m")
        self.at = end + 1
