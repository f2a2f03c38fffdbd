"""manifest.json: checksums, config, data cut, versions, code version; the only timestamp."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from outcomes.report.manifest import (
    compute_sha256,
    create_manifest,
    summarize_checksums,
    write_manifest,
)

CONFIG = {"data": {"data_cut": "2027-01-31"}, "study": {"studyid": "X"}}


def test_compute_sha256__known_digest(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"abc")
    assert compute_sha256(path) == hashlib.sha256(b"abc").hexdigest()
    assert compute_sha256(path).startswith("ba7816bf")  # FIPS 180-2 test vector "abc"


def test_summarize_checksums__folders_expanded_and_sorted(tmp_path):
    (tmp_path / "exp").mkdir()
    (tmp_path / "exp" / "b.csv").write_bytes(b"")
    (tmp_path / "exp" / "a.csv").write_bytes(b"abc")
    sums = summarize_checksums([tmp_path / "exp"])
    assert list(sums) == [str(tmp_path / "exp" / "a.csv"), str(tmp_path / "exp" / "b.csv")]
    assert sums[str(tmp_path / "exp" / "b.csv")] == hashlib.sha256(b"").hexdigest()


def test_create_manifest__contents(tmp_path):
    (tmp_path / "s.csv").write_text("x")
    now = dt.datetime(2027, 2, 1, 8, 30, 15, 999, tzinfo=dt.UTC)
    manifest = create_manifest(inputs=[tmp_path / "s.csv"], config=CONFIG, now=now)
    assert manifest["created_utc"] == "2027-02-01T08:30:15+00:00"
    assert manifest["data_cut"] == "2027-01-31"
    assert manifest["config"] == CONFIG
    assert list(manifest["inputs_sha256"]) == [str(tmp_path / "s.csv")]
    assert {"python", "polars", "outcomes", "matplotlib"} <= set(manifest["package_versions"])
    assert set(manifest["code_version"]) == {"package", "git_commit", "git_dirty"}
    write_manifest(manifest, tmp_path / "out" / "manifest.json")
    assert json.loads((tmp_path / "out" / "manifest.json").read_text()) == manifest
