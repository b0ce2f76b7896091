"""Reading a file of a template or an assembly: only regular files, bounded, and no descriptor left open."""

from __future__ import annotations

from pathlib import Path

import pytest

from eu_residency.template_loader.reading import UnreadableFileError, read_regular_file


def _open_descriptors() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def test_a_folder_is_refused_in_our_words_and_its_descriptor_closed(tmp_path: Path) -> None:
    before = _open_descriptors()
    for _ in range(20):
        with pytest.raises(UnreadableFileError, match=r"^is a directory, not a file$"):
            read_regular_file(tmp_path, 1_000, "1 kB")
    assert _open_descriptors() == before


def test_a_file_over_the_limit_is_refused_and_its_descriptor_closed(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b"{" + b" " * 2_000 + b"}")
    before = _open_descriptors()
    with pytest.raises(UnreadableFileError, match="1 kB"):
        read_regular_file(big, 1_000, "1 kB")
    assert _open_descriptors() == before
    assert read_regular_file(big, 10_000, "10 kB").startswith(b"{")
