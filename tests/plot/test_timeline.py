"""``spamguard replay --timeline``: the replay drawn as a PNG (the ``plot`` tox env)."""

from __future__ import annotations

import json
import pathlib

import matplotlib.image
import numpy as np
import pytest

from spamguard.cli.main import main

PUNISHED_RED = np.array([0xD6, 0x27, 0x28]) / 255
LEGEND_RED = 400
"""Red pixels of the legend alone (a quiet log's picture has about 300)."""


def _red_pixels(path: pathlib.Path) -> int:
    image = matplotlib.image.imread(path)
    distance = np.abs(image[..., :3] - PUNISHED_RED).sum(axis=-1)
    return int((distance < 0.05).sum())


def test_the_sample_replay_draws_a_timeline_with_its_punishments(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "raid.png"
    assert main(["replay", "--sample", "--quiet", "--timeline", str(png)]) == 0
    assert capsys.readouterr().out.endswith(f"Timeline written to {png}\n")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width = matplotlib.image.imread(png).shape[:2]
    assert width > 800 and height > 400
    # Eight punished members: their markers and the flagged rate bars, far beyond the
    # legend's own red that any picture has (see the quiet log below).
    assert _red_pixels(png) > 10 * LEGEND_RED


def test_a_quiet_log_has_no_punishment_in_its_picture(tmp_path: pathlib.Path) -> None:
    log = tmp_path / "quiet.jsonl"
    log.write_text(
        "".join(
            json.dumps(
                {
                    "guild_id": 1,
                    "channel_id": 2,
                    "author_id": 3 + i % 4,
                    "created_at": i * 7,
                    "author_name": f"member{i % 4}",
                    "content": f"hello {i}",
                }
            )
            + "\n"
            for i in range(20)
        )
    )
    png = tmp_path / "quiet.png"
    assert main(["replay", str(log), "--quiet", "--timeline", str(png)]) == 0
    assert 0 < _red_pixels(png) <= LEGEND_RED


def test_an_unwritable_path_is_one_clear_error(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "x.png"
    assert main(["replay", "--sample", "--quiet", "--timeline", str(target)]) == 1
    assert capsys.readouterr().err == (
        f"spamguard: cannot write the timeline {target}: No such file or directory\n"
    )


@pytest.mark.parametrize(
    ("extension", "magic"),
    [("svg", b"<?xml"), ("pdf", b"%PDF-"), ("PNG", b"\x89PNG\r\n\x1a\n")],
)
def test_the_timeline_is_written_in_the_format_its_extension_names(
    extension: str, magic: bytes, tmp_path: pathlib.Path
) -> None:
    picture = tmp_path / f"raid.{extension}"
    assert main(["replay", "--sample", "--quiet", "--timeline", str(picture)]) == 0
    data = picture.read_bytes()
    assert data.startswith(magic)
    if extension == "svg":
        assert b"<svg" in data[:2000]
