"""Read a template file's text, safely: only regular files, at most CloudFormation's size, UTF-8 only.

A FIFO, a device (``/dev/zero``), a socket or a directory is refused without being read, so nothing blocks
and nothing grows without bound; a file larger than the limit is refused before it is read.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from eu_residency.core.vocabulary import MAX_TEMPLATE_BYTES, MAX_TEMPLATE_SIZE_TEXT
from eu_residency.template_loader.errors import TemplateError

# What a file that is not a regular file is, in the person's words.
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
# Opening a FIFO without O_NONBLOCK waits for a writer; with it, the open returns and fstat tells what it is.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class UnreadableFileError(ValueError):
    """A file that is not read: not a regular file, too large, or failing to read (the message names no path)."""


def read_template_text(path: Path) -> str:
    """The file's text, or a TemplateError naming the file and what is wrong."""
    try:
        data = read_regular_file(path, MAX_TEMPLATE_BYTES, MAX_TEMPLATE_SIZE_TEXT)
    except UnreadableFileError as error:
        raise TemplateError(f"{path}: {error}") from None
    return decode_template(data, str(path))


def read_regular_file(path: Path, limit: int, limit_text: str) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them (``limit_text`` says why)."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise UnreadableFileError("no such file") from None
    except IsADirectoryError:
        raise UnreadableFileError("is a directory, not a file") from None
    except OSError as error:
        raise UnreadableFileError(f"cannot be read ({error.strerror})") from None
    # What the descriptor is, asked before it becomes a file object: io refuses a directory with an error of its
    # own ("Is a directory: 15"), and the descriptor would stay open.
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFileError("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise UnreadableFileError(f"is {kind}, not a file; only regular files are read")
        if info.st_size > limit:
            raise UnreadableFileError(_too_large(info.st_size, limit, limit_text))
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise UnreadableFileError(f"cannot be read ({error.strerror})") from None
    if len(data) > limit:  # the file grew while it was read
        raise UnreadableFileError(_too_large(len(data), limit, limit_text))
    return data


def decode_template(data: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark allowed), as CloudFormation reads a template; anything else refused."""
    if data.startswith(_UTF16_BOMS) or (len(data) >= 2 and (data[0] == 0 or data[1] == 0)):
        raise TemplateError(f"{source}: is UTF-16 or UTF-32 text; CloudFormation reads templates as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TemplateError(
            f"{source}: cannot be read as UTF-8 text (byte {error.start} is not UTF-8); is it a template?"
        ) from None


def _too_large(size: int, limit: int, limit_text: str) -> str:
    return f"is {size:,} bytes, larger than {limit:,} ({limit_text})"
