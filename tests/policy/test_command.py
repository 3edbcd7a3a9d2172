"""``kopiena policy export|import|check``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kopiena.policy.models import PolicyVersion


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("policy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_import_round_trip_through_files(tmp_path, workspace, owner):
    target = tmp_path / "policy.yaml"
    run("export", "--workspace", workspace.slug, "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert "Motivācijas pirmdiena" in text
    target.write_text(text.replace("min_gap_minutes: 180", "min_gap_minutes: 90"), encoding="utf-8")
    out, _ = run("import", "--workspace", workspace.slug, str(target), "--author", owner.username)
    assert "saved policy version 1" in out
    version = PolicyVersion.objects.get()
    assert version.author == owner
    exported, _ = run("export", "--workspace", workspace.slug)
    assert exported == target.read_text(encoding="utf-8")


def test_check_lists_every_error_with_file_line_and_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("publishing:\n  cadence:\n    default:\n      max_per_day: -1\n  links:\n    nope: 1\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("policy", "check", str(bad), stdout=out)
    assert out.getvalue().splitlines() == [
        f"{bad}:4: publishing.cadence.default.max_per_day: Most posts a day must be at least 1.",
        f"{bad}:6: publishing.links.nope: Links: “nope” is not a setting Kopiena knows.",
    ]


def test_check_accepts_a_valid_file(tmp_path, workspace):
    good = tmp_path / "good.yaml"
    run("export", "--workspace", workspace.slug, "-o", str(good))
    out, _ = run("check", str(good))
    assert "valid" in out


def test_invalid_import_is_refused_and_writes_nothing(tmp_path, workspace):
    bad = tmp_path / "bad.yaml"
    bad.write_text("engagement:\n  moderation:\n    never_delete_negative: false\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("policy", "import", "--workspace", workspace.slug, str(bad), stderr=err)
    assert "engagement.moderation.never_delete_negative" in err.getvalue()
    assert ":3:" in err.getvalue()
    assert not PolicyVersion.objects.exists()


def test_unknown_workspace_and_author(tmp_path, workspace):
    with pytest.raises(CommandError, match="no workspace"):
        run("export", "--workspace", "nope")
    good = tmp_path / "good.yaml"
    good.write_text("schema_version: 1\n")
    with pytest.raises(CommandError, match="no user"):
        run("import", "--workspace", workspace.slug, str(good), "--author", "ghost")


def test_versions_and_diff(tmp_path, workspace, owner):
    target = tmp_path / "policy.yaml"
    run("export", "--workspace", workspace.slug, "-o", str(target))
    run(
        "import", "--workspace", workspace.slug, str(target), "--author", owner.username, "--summary", "first"
    )
    target.write_text(target.read_text(encoding="utf-8").replace("max_per_week: 10", "max_per_week: 7"))
    run("import", "--workspace", workspace.slug, str(target), "--summary", "fewer a week")
    listing, _ = run("versions", "--workspace", workspace.slug)
    assert [line.split("\t")[0::2] for line in listing.splitlines()] == [["2", "system"], ["1", "owner"]]
    assert listing.splitlines()[0].endswith("fewer a week")
    diff, _ = run("diff", "--workspace", workspace.slug, "2")
    assert "-      max_per_week: 10\n+      max_per_week: 7\n" in diff
    same, _ = run("diff", "--workspace", workspace.slug, "1")
    assert same == ""
    reverse, _ = run("diff", "--workspace", workspace.slug, "1", "2")
    assert "+      max_per_week: 10" in reverse
    with pytest.raises(CommandError, match="no policy version 9"):
        run("diff", "--workspace", workspace.slug, "9")
