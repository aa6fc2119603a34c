"""The one-pass reader of a valid small message (``reader_quick``) against the full path it stands
in for: on the samples, their mutations and the demo traffic, the reader's result (message, every
error with rule, element, line and text, kind, id, counts) is the same with the quick path as
without it, and the quick path takes every valid demo message."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from jeugdregie.demo.generator import generate
from jeugdregie.ijw import reader_quick, reader_whole
from jeugdregie.ijw.reader import read_message
from jeugdregie.ijw.validation import KIND_BY_NAMESPACE

SAMPLES = Path(__file__).resolve().parent / "samples"
KINDS = ("JW301", "JW305", "JW307", "JW315")

#: Texts put in place of an element's text: empty, blank, signs, leading zeros, too long, dates
#: that do not exist or lie out of order, codes out of their list, a pseudonym marker.
TEXTS = (
    "", " ", "0", "00", "007", "+3", "-1", "03", "3", "2", "1.5", "999999999", "1000000000",
    "99999999", "100000000", "2021-02-30", "2021-13-01", "1800-01-01", "2999-01-01", "2019-02-09",
    "2019-02-08", "X" * 37, "X" * 13, "43", "43L01", "123456", "D1", "01", "13", "14", "4", "1",
    "98000021", "0889", "0.1.0", "1.0", "P:" + "a" * 64, "511446986", "511446987", " 12 ",
)  # fmt: skip


def _comparable(result) -> tuple:
    return (
        result.message,
        [(e.file, e.message_id, e.element, e.rule, e.message, e.line, e.scope, e.tr) for e in result.errors],
        result.kind,
        result.message_id,
        result.lines_total,
        result.lines_rejected,
        result.header_known,
        result.tree is not None,
    )


def _full(data: bytes, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as patched:
        patched.setattr(reader_whole, "quick_message", lambda *args: None)
        return read_message(data, "bericht.xml")


def _mutations(data: bytes):
    """Every element of the message removed, repeated, renamed into another namespace and, for a
    leaf, given each of ``TEXTS``."""
    root = etree.fromstring(data)
    count = sum(1 for _ in root.iter())
    for index in range(1, count):
        for action in ("remove", "repeat", "rename", *(f"text:{t}" for t in TEXTS)):
            tree = copy.deepcopy(root)
            el = next(itertools.islice(tree.iter(), index, None))
            parent = el.getparent()
            if action == "remove":
                parent.remove(el)
            elif action == "repeat":
                el.addprevious(copy.deepcopy(el))
                first = el.getprevious()
                if len(first) == 0:
                    first.text = "9"
            elif action == "rename":
                el.tag = "{urn:other}" + etree.QName(el).localname
            elif len(el) == 0:
                el.text = action.split(":", 1)[1]
            else:
                continue
            yield etree.tostring(tree)


@pytest.mark.parametrize("kind", KINDS)
def test_the_quick_path_takes_the_sample(kind, monkeypatch):
    data = (SAMPLES / f"{kind}.xml").read_bytes()
    root = etree.fromstring(data)
    assert reader_quick.quick_message(root, kind, "{" + etree.QName(root).namespace + "}") is not None
    assert _comparable(read_message(data, "bericht.xml")) == _comparable(_full(data, monkeypatch))


@pytest.mark.parametrize("kind", KINDS)
def test_mutations_read_the_same_with_and_without_the_quick_path(kind, monkeypatch):
    data = (SAMPLES / f"{kind}.xml").read_bytes()
    outcomes = {"accepted": 0, "refused": 0}
    for mutated in _mutations(data):
        quick = read_message(mutated, "bericht.xml")
        assert _comparable(quick) == _comparable(_full(mutated, monkeypatch)), mutated
        outcomes["accepted" if quick.ok else "refused"] += 1
    # Both kinds of outcome occur, so the comparison covers accepting and refusing.
    assert outcomes["accepted"] > 50 and outcomes["refused"] > 50, outcomes


def test_demo_messages_read_the_same_and_all_take_the_quick_path(monkeypatch, tmp_path):
    generate(tmp_path, seed=1, scale=1, until=dt.date(2021, 1, 31))
    read = 0
    for archive in sorted(tmp_path.glob("*.zip")):
        with zipfile.ZipFile(archive) as source:
            for info in source.infolist():
                data = source.read(info)
                root = etree.fromstring(data)
                kind = KIND_BY_NAMESPACE.get(etree.QName(root).namespace or "")
                if kind not in KINDS:
                    continue
                ns = "{" + etree.QName(root).namespace + "}"
                assert reader_quick.quick_message(root, kind, ns) is not None, info.filename
                assert _comparable(read_message(data, info.filename)) == _comparable(_full(data, monkeypatch))
                read += 1
    assert read > 500
