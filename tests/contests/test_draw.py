"""The draw function alone (pure): deterministic, sensitive to every input, verifiable from an export."""

from __future__ import annotations

import json
import subprocess
import sys

from kopiena.contests import draw

SEED = "5" * 64
ENTRIES = [
    {"id": f"mastodon:{n}", "author": draw.author_ref("mastodon", f"a{n % 7}"), "decision": "eligible"}
    for n in range(20)
] + [{"id": "mastodon:99", "author": draw.author_ref("mastodon", "x"), "decision": "late"}]


def export(seed: str = SEED, entries=ENTRIES, sizes=(3,)) -> dict:
    rounds = draw.rounds_of(seed, entries, list(sizes))
    return {
        "format": draw.FORMAT,
        "seed": seed,
        "seed_sha256": draw.sha256_hex(seed),
        "frozen_list_sha256": draw.list_hash(entries),
        "entries": entries,
        "rounds": [
            {"round": n + 1, "size": s, "winners": w}
            for n, (s, w) in enumerate(zip(sizes, rounds, strict=True))
        ],
    }


def test_same_inputs_same_winners_and_order_does_not_matter():
    first = draw.rounds_of(SEED, ENTRIES, [3])
    assert first == draw.rounds_of(SEED, list(reversed(ENTRIES)), [3])
    assert len(first[0]) == 3 and "mastodon:99" not in first[0]  # a late entry never wins


def test_one_win_per_author_and_redraw_continues_the_same_order():
    order = draw.winner_order(SEED, ENTRIES)
    assert len(order) == 7  # 20 entries by 7 authors
    assert draw.rounds_of(SEED, ENTRIES, [2, 1]) == [order[:2], order[2:3]]


def test_equal_scores_fall_back_to_the_id():
    assert draw.ranked([("aa", "b", "x"), ("aa", "a", "y"), ("00", "z", "w")]) == [
        ("00", "z", "w"), ("aa", "a", "y"), ("aa", "b", "x"),
    ]  # fmt: skip


def test_a_valid_export_verifies():
    result = draw.verify_export(export())
    assert result.ok and result.codes == []


def test_changing_one_entry_fails_verification():
    data = export()
    data["entries"] = [dict(e) for e in data["entries"]]
    data["entries"][5]["decision"] = "duplicate"
    result = draw.verify_export(data)
    assert not result.ok and result.codes[0] == "list"
    data["entries"][5]["decision"] = "eligible"
    assert draw.verify_export(data).ok


def test_a_changed_seed_fails_verification_and_changes_the_winners():
    other = "6" * 64
    assert draw.rounds_of(other, ENTRIES, [3]) != draw.rounds_of(SEED, ENTRIES, [3])
    data = export()
    data["seed"] = other
    assert draw.verify_export(data).codes[0] == "seed"
    # Even with a matching (forged) hash, the published winners no longer follow from the seed.
    data["seed_sha256"] = draw.sha256_hex(other)
    assert draw.verify_export(data).codes == ["winners"]


def test_tampered_winners_and_broken_files_have_clear_outcomes():
    data = export()
    data["rounds"][0]["winners"] = list(reversed(data["rounds"][0]["winners"]))
    assert draw.verify_export(data).codes == ["winners"]
    assert draw.verify_export({"format": "other"}).codes == ["format"]
    assert draw.verify_export({"format": draw.FORMAT, "entries": [{}], "rounds": []}).codes == ["malformed"]


def test_cli_verifies_and_rejects(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(export()))
    run = subprocess.run(
        [sys.executable, "-m", "kopiena", "contest", "verify", str(good)], capture_output=True, text=True
    )
    assert run.returncode == 0 and "VERIFIED" in run.stdout, run.stderr
    data = export()
    data["entries"] = data["entries"][1:]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    run = subprocess.run(
        [sys.executable, "-m", "kopiena", "contest", "verify", str(bad)], capture_output=True, text=True
    )
    assert run.returncode == 1 and "entry list does not match" in run.stdout
    missing = subprocess.run([sys.executable, "-m", "kopiena", "contest", "verify", str(tmp_path / "none.json")],
                             capture_output=True, text=True)  # fmt: skip
    assert missing.returncode == 2
