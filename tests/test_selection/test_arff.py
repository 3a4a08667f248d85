from __future__ import annotations

import math

import pytest

from algoconf.errors import ASlibFormatError, InputError
from algoconf.selection.data.arff import ArffAttribute, read_arff, split_arff_line, write_arff


def test_split_honours_quotes_commas_slashes_and_escapes():
    tokens = split_arff_line("'a/b,c.cnf', 1 ,\"x y\", 'it\\'s', ?")
    assert tokens == [("a/b,c.cnf", True), ("1", False), ("x y", True), ("it's", True), ("?", False)]


def test_split_rejects_unterminated_quote():
    with pytest.raises(ASlibFormatError, match="unterminated"):
        split_arff_line("'abc, 1", file="f.arff", line=7)


def test_read_types_missing_values_crlf_and_comments(tmp_path):
    p = tmp_path / "t.arff"
    p.write_bytes(
        b"% comment\r\n@relation r\r\n@attribute instance_id string\r\n@attribute 'x y' numeric\r\n"
        b"@attribute s {ok, timeout}\r\n\r\n@data\r\n'i/1,2',3.5,ok\r\n  \r\ni2,?,timeout\r\n"
    )
    t = read_arff(p)
    assert t.names == ("instance_id", "x y", "s")
    assert t.rows[0] == ("i/1,2", 3.5, "ok")
    assert t.rows[1][1] is None and t.lines == (8, 10)


@pytest.mark.parametrize(
    "body, line, needle",
    [
        ("@data\ni1,abc,ok\n", 6, "expected a number"),
        ("@data\ni1,1\n", 6, "expected 3 comma-separated values"),
        ("@data\ni1,1,maybe\n", 6, "not one of the declared values"),
        ("@data\n{0 i1}\n", 6, "sparse"),
    ],
)
def test_errors_name_file_and_line(tmp_path, body, line, needle):
    p = tmp_path / "bad.arff"
    p.write_text("@relation r\n@attribute instance_id string\n@attribute v numeric\n@attribute s {ok,timeout}\n" + body)
    with pytest.raises(ASlibFormatError) as err:
        read_arff(p)
    assert isinstance(err.value, InputError)
    assert err.value.line == line and err.value.file == str(p) and needle in str(err.value)


def test_write_then_read_round_trips(tmp_path):
    attrs = [ArffAttribute("instance_id", "string"), ArffAttribute("v", "numeric"), ArffAttribute("s", "nominal", ("ok", "crash"))]
    rows = [("dir/a,b 'q'.cnf", 1.25, "ok"), ("plain", math.nan, "crash"), ("?", 3.0, "ok")]
    p = tmp_path / "w.arff"
    write_arff(p, "rel", attrs, rows)
    back = read_arff(p)
    assert back.rows[0] == rows[0]
    assert back.rows[1] == ("plain", None, "crash")
    assert back.rows[2] == ("?", 3.0, "ok")  # a quoted '?' is a value, not a missing one
