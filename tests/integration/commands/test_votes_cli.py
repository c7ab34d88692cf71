"""`governance votes tally|verify FILE`: anyone recounts a bulletin board, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from governance import cli

ROOT = Path(__file__).resolve().parents[3]


def board(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "governance-board/1",
        "method": "approval",
        "eligible": 5,
        "quorum": "1/2",
        "threshold": "2/3",
        "ballots": [
            {"receipt": "K7Q2-9XPA", "choice": "yes"},
            {"receipt": "M3D8-2LQW", "choice": "yes"},
            {"receipt": "Z1T5-8RNE", "choice": "no"},
            {"receipt": "B6V4-0HCS", "choice": "abstain"},
        ],
    }
    data.update(changes)
    return data


def governance(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "governance.cli", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def write(tmp_path: Path, data: Any, name: str = "board.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_tally_recounts_from_the_ballots_alone(tmp_path: Path) -> None:
    # A false result in the file is ignored by tally.
    path = write(tmp_path, board(result={"adopted": False}))
    done = governance("votes", "tally", path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["adopted"] is True  # 2 yes of 3 yes + no = 2/3, 4 of 5 took part
    assert result["counts"] == {"yes": 2, "no": 1, "abstain": 1}
    assert result["quorum_reached"] and result["threshold_reached"]
    assert result["participants"] == 4 and result["eligible"] == 5


def test_verify_accepts_a_true_board_and_refuses_a_false_one(tmp_path: Path) -> None:
    recount = json.loads(governance("votes", "tally", write(tmp_path, board())).stdout)
    done = governance("votes", "verify", write(tmp_path, board(result=recount)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok:")

    forged = dict(recount, adopted=False)
    done = governance("votes", "verify", write(tmp_path, board(result=forged)))
    assert done.returncode == 1
    assert "MISMATCH" in done.stdout and "adopted" in done.stdout

    # A ballot changed after the fact: the stated counts no longer match.
    ballots = board()["ballots"]
    ballots[0]["choice"] = "no"
    done = governance("votes", "verify", write(tmp_path, board(ballots=ballots, result=recount)))
    assert done.returncode == 1 and "counts" in done.stdout

    done = governance("votes", "verify", write(tmp_path, board()))
    assert done.returncode == 1 and 'no "result"' in done.stdout


def test_a_ranked_board_prints_every_round(tmp_path: Path) -> None:
    data = {
        "format": "governance-board/1",
        "method": "ranked",
        "options": ["pro rata", "equal", "mixed 80/20"],
        "eligible": 6,
        "quorum": "1/2",
        "threshold": "1/2",
        "ballots": [
            {"receipt": "a", "ranking": ["pro rata", "mixed 80/20"]},
            {"receipt": "b", "ranking": ["equal", "mixed 80/20"]},
            {"receipt": "c", "ranking": ["mixed 80/20", "equal"]},
            {"receipt": "d", "ranking": ["pro rata"]},
            {"receipt": "e", "ranking": ["equal"]},
            {"receipt": "f", "ranking": []},
        ],
    }
    done = governance("votes", "tally", "-", stdin=json.dumps(data))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["winner"] == "equal"
    assert [r["eliminated"] for r in result["rounds"]] == ["mixed 80/20", None]
    assert result["rounds"][1]["counts"] == {"pro rata": 2, "equal": 3}
    assert "tie_break" in result
    data["result"] = result
    assert governance("votes", "verify", "-", stdin=json.dumps(data)).returncode == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps(board(format="other/9")), "format"),
        (json.dumps(board(method="plurality")), "method"),
        (json.dumps(board(eligible=-1)), "eligible"),
        (json.dumps(board(eligible=True)), "eligible"),
        (json.dumps(board(quorum=0.5)), "quorum"),
        (json.dumps(board(threshold="3/5")), "threshold"),
        (json.dumps(board(ballots={"a": 1})), "ballots"),
        (json.dumps(board(ballots=[{"choice": "yes"}])), "receipt"),
        (json.dumps(board(ballots=[{"receipt": "x", "choice": "yes"}] * 2)), "twice"),
        (json.dumps(board(ballots=[{"receipt": "x", "choice": "maybe"}])), "unknown choice"),
        (json.dumps(board(eligible=1)), "ballots for 1 eligible"),
        ("[" * 100_000, "not JSON"),
    ],
)
def test_a_bad_board_is_refused_with_its_reason(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same `main` as the command (in this process: one interpreter start per case would
    cost a second each); a real process for two of them below."""
    path = write(tmp_path, content)
    for command in ("tally", "verify"):
        assert cli.main(["votes", command, path]) == 2, command
        out, err = capsys.readouterr()
        assert message in err and not out


def test_a_missing_or_bad_file_is_refused_by_the_command(tmp_path: Path) -> None:
    done = governance("votes", "tally", str(tmp_path / "nowhere.json"))
    assert done.returncode == 2 and "nowhere.json" in done.stderr
    done = governance("votes", "verify", write(tmp_path, json.dumps(board(threshold="3/5"))))
    assert done.returncode == 2 and "threshold" in done.stderr
    assert "Traceback" not in done.stderr


def test_verify_compares_values_not_spellings_and_not_loosely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def verify(data: dict[str, Any]) -> int:
        code = cli.main(["votes", "verify", write(tmp_path, data)])
        capsys.readouterr()
        return code

    assert cli.main(["votes", "tally", write(tmp_path, board(quorum="0"))]) == 0
    recount = json.loads(capsys.readouterr().out)
    assert recount["quorum"] == "0/1"
    assert verify(board(quorum="0", result=dict(recount, quorum="0"))) == 0
    assert verify(board(quorum="2/4", result=dict(recount, quorum="2/4"))) == 0
    assert verify(board(quorum="0", result=dict(recount, adopted=1))) == 1  # 1 is not true
    assert verify(board(quorum="0", result=dict(recount, eligible=5.0))) == 1


def test_a_consent_board_needs_no_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = board(method="consent", ballots=[{"receipt": "a", "choice": "consent"}])
    del data["threshold"]
    data["eligible"] = 1
    assert cli.main(["votes", "tally", write(tmp_path, data)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["adopted"] is True and "threshold" not in result
    data["threshold"] = "1/2"  # ignored
    data["result"] = result
    assert cli.main(["votes", "verify", write(tmp_path, data)]) == 0


def test_any_label_is_printed_safely(tmp_path: Path) -> None:
    data = {
        "format": "governance-board/1",
        "method": "ranked",
        "options": ["نعم", "\ud800"],
        "eligible": 1,
        "quorum": "0",
        "threshold": "1/2",
        "ballots": [{"receipt": "a", "ranking": ["\ud800"]}],
    }
    path = tmp_path / "board.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # json.dumps escapes the lone surrogate
    done = governance("votes", "tally", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["winner"] == "\ud800"
