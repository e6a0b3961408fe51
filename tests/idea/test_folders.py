"""Reading many idea files in parallel: the same ideas, in the same order, errors per bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpm_kit.errors import InputError
from mlpm_kit.idea import folders

IDEA = """id: {id}
title: Idea {id}
pain: {{frequency: 3, severity: 2}}
value: {{users: 100 to 200, adoption: 0.5, hours_saved_per_user_week: 1, hourly_cost: 40}}
cost: {{team_week_cost: 4000, mvp_weeks: 4 to 6}}
"""


def test_parallel_reading_gives_the_same_ideas_and_errors_as_one_by_one(tmp_path, monkeypatch):
    for i in range(12):
        (tmp_path / f"idea-{i:02d}.yaml").write_text(IDEA.format(id=f"idea-{i:02d}"))
    (tmp_path / "idea-05.yaml").write_text("title: [unclosed\n")  # bad YAML
    monkeypatch.setattr(folders, "PARALLEL_ABOVE", 4)
    monkeypatch.setattr(folders, "_reading_workers", lambda: 2)  # even on a busy machine
    ideas, errors = folders.load_ideas([tmp_path])
    monkeypatch.setattr(folders, "PARALLEL_ABOVE", 10**9)
    serial_ideas, serial_errors = folders.load_ideas([tmp_path])
    assert (
        [i.id for i in ideas]
        == [i.id for i in serial_ideas]
        == [f"idea-{i:02d}" for i in range(12) if i != 5]
    )
    assert ideas == serial_ideas
    assert [str(e) for e in errors] == [str(e) for e in serial_errors]
    assert len(errors) == 1 and "idea-05.yaml" in str(errors[0]) and "line" in str(errors[0])
    assert all(Path(i._source).parent == tmp_path for i in ideas)


def test_a_link_out_of_the_folder_is_refused_and_a_link_inside_is_read(tmp_path):
    folder, outside = tmp_path / "ideas", tmp_path / "secret.yaml"
    folder.mkdir()
    outside.write_text("title: x\n", encoding="utf-8")
    (folder / "a.yaml").write_text("title: a\n", encoding="utf-8")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")  # inside: read like a file
    assert [p.name for p in folders.idea_files([folder])] == ["a.yaml", "b.yaml"]
    (folder / "c.yaml").symlink_to(outside)
    with pytest.raises(InputError, match="is a link to a file outside the folder"):
        folders.idea_files([folder])
