"""Text from templates and accounts made inert for each output: Markdown (``markdown_text``), SARIF plain-text
messages (``sarif_text``) and a terminal (``terminal_text``). Every format, the review pack and the command's
one-line errors escape through these three functions and no other.
"""

from __future__ import annotations

import re

# Characters a terminal acts on rather than shows: C0 controls (newline and tab included), DEL, C1 controls
# (CSI among them), and the line separators and bidirectional controls that make text read other than it is.
_TERMINAL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Markdown: the line breaks a table cell or a paragraph cannot hold.
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
# Markdown: the characters that start or end emphasis, code, links, tables, math or HTML, each escaped on its
# own; "(" only after "]", where it would start a link's destination; "_" unless it is inside a word, where
# CommonMark never reads it as emphasis (snake_case stays readable).
_MARKDOWN_SPECIALS = re.compile(r"[\\`*~\[\]|$&<>]|(?<=\])\(|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# SARIF 2.1.0 §3.11.6: in a plain-text message "[text](target)" is an embedded link; a literal bracket is
# escaped with a backslash, and so is each backslash just before one.
_SARIF_BRACKETS = "[]"


def terminal_text(text: str) -> str:
    """``text`` with each control character shown as its escape (``\\x1b``, ``\\n`` as ``\\x0a``, ``\\u202e``)."""
    return _TERMINAL_CONTROLS.sub(_escape_code, text)


def markdown_text(text: object) -> str:
    """``text`` as inline Markdown (a table cell, a heading, a paragraph) that renders as text, never as markup:
    line breaks become spaces, control characters are shown escaped, ``& < >`` become HTML entities, and every
    character that Markdown reads as syntax is backslash-escaped (``| ` * ~ [ ] $ \\``, ``_`` outside a word, ``(``
    after ``]``, and ``#`` at the start).
    """
    flat = terminal_text(_LINE_BREAKS.sub(" ", str(text)))
    escaped = _MARKDOWN_SPECIALS.sub(_markdown_escape, flat)
    return "\\" + escaped if escaped.startswith("#") else escaped


def sarif_text(text: str) -> str:
    """``text`` as a SARIF plain-text message in which no part of it is read as an embedded link. One pass (a
    regular expression for "backslashes, then a bracket" retries at every backslash of a long run)."""
    pieces: list[str] = []
    backslashes = 0
    for character in text:
        if character == "\\":
            backslashes += 1
            continue
        if character in _SARIF_BRACKETS:
            pieces.append("\\" * (2 * backslashes + 1) + character)
        else:
            pieces.append("\\" * backslashes + character)
        backslashes = 0
    pieces.append("\\" * backslashes)
    return "".join(pieces)


def _escape_code(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _markdown_escape(match: re.Match[str]) -> str:
    character = match[0]
    return _HTML_ENTITIES.get(character) or "\\" + character
