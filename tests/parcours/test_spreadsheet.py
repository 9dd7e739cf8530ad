"""Formula-like CSV cells are made text, whatever disguise they wear."""

import pytest

from parcours import spreadsheet


@pytest.mark.parametrize("text, neutralised", [
    ("=HYPERLINK(1)", True), ("+1", True), ("-1+2", True), ("@SUM(A1)", True),
    ("\tx", True), ("\rx", True), ("  =cmd()", True), ("\n=cmd()", True), ("\u3000=1", True),
    ("\uff1dcmd()", True), ("\uff0b1", True), ("\ufe6b1", True), (" \uff20x", True),
    ("/pricing", False), ("Hello = world", False), ("", False), ("\u00e9t\u00e9", False),
])
def test_text_cell(text, neutralised):
    assert spreadsheet.text_cell(text) == ("'" + text if neutralised else text)


def test_numbers_stay_numbers():
    assert spreadsheet.cell(-5) == -5 and spreadsheet.cell(None) is None
