"""Bad parameter files: every case names the file, the line and what was expected (exact messages)."""

from __future__ import annotations

import pytest

from algoconf.errors import SpaceError
from algoconf.space import read_space

# (format, file content, line, message)
CASES = [
    ('pcs', 'x [10, 1] [5]\n', 1,
     "real parameter 'x': lower bound 10.0 must be below upper bound 1.0"),
    ('pcs', 'n [3, 3] [3]i\n', 1,
     "integer parameter 'n': lower bound 3 must be below upper bound 3"),
    ('pcs_new', 'a categorical {x, y} [x]\nn integer [1, 10] [20]\n', 2,
     "integer parameter 'n': default 20 is outside [1, 10]"),
    ('pcs', 'c {a, b} [z]\n', 1,
     "categorical parameter 'c': default 'z' is not one of {a, b}"),
    ('pcs_new', 'r real [0, 1] [0.5] log\n', 1,
     "real parameter 'r': log scale needs bounds > 0, got [0.0, 1.0]"),
    ('pcs', 'a {x, y} [x]\nb [0, 1] [0]\na {u, v} [u]\n', 3,
     "parameter 'a' is declared twice (first on line 1)"),
    ('pcs', 'a {x, y} [x]\nb [0, 1] [0]\nb | zz in {x}\n', 3,
     "condition of 'b' names unknown parameter 'zz'"),
    ('pcs', 'a {x, y} [x]\nq | a in {x}\n', 2,
     "condition for unknown parameter 'q'"),
    ('pcs', 'a {x, y} [x]\nb [0, 1] [0]\nb | a in {x, nope}\n', 3,
     "condition of 'b': value 'nope' is not in the domain of 'a' ({x, y})"),
    ('pcs_new', 'a categorical {x, y} [x]\nb categorical {x, y} [x]\na | b == x\nb | a == x\n', 4,
     "conditions form a cycle: b -> a -> b (read 'a -> b' as 'a depends on b')"),
    ('pcs_new', 'a categorical {x, y} [x]\na | a == y\n', 2,
     "condition of 'a' depends on 'a' itself"),
    ('pcs', 'a {x, y} [x]\n{a=x, zz=1}\n', 2,
     "forbidden clause names unknown parameter 'zz'"),
    ('pcs', 'a {x, y} [x]\n{a=q}\n', 2,
     "forbidden clause: value 'q' is not in the domain of 'a' ({x, y})"),
    ('pcs', 'a {x, y} [x]\n\n{a=x}\n', 3,
     "forbidden clause {a == 'x'} excludes the default configuration (a=x); change the defaults or the clause"),
    ('irace', 'n "-n " i (1, 100000)  # default: 1\n\n[forbidden]\nn > 1\n', 4,
     'forbidden clauses (line 4) exclude every one of 1000 sampled configurations; only the default (or almost nothing) is left'),
    ('pcs', 'x [1, 2]\n', 1,
     "cannot parse line 'x [1, 2]': expected '<name> {a, b, c} [default]' or '<name> [lower, upper] [default]' (+ i/l/il), a condition or a forbidden clause"),
    ('pcs', 'n [1.5, 10] [2]i\n', 1,
     "integer parameter 'n': bounds must be integers, got [1.5, 10]"),
    ('pcs', 'x [1, 10] [2]q\n', 1,
     "parameter 'x': unknown flags 'q': expected i, l or il"),
    ('irace', 'a "-a " q (1, 2)\n', 1,
     "parameter 'a': unknown type 'q': expected c, o, i or r (i and r may add ',log')"),
    ('irace', 'a "-a " i (1, 10)\nb "-b " i (1, a)\n', 2,
     "parameter 'b': bound 'a' is not a number (dependent domains cannot be expressed in ConfigSpace)"),
    ('irace', 'a "-a " c (x, y)\nb "-b " i (1, 10) | a = "x"\n', 2,
     "cannot parse the condition of 'b': unexpected character '=' at column 3"),
    ('irace', 'a "-a " c (x, y)\n[forbidden]\na == "x" &\n', 3,
     'cannot parse forbidden expression \'a == "x" &\': the expression ends too early'),
    ('irace', 'a "-a " c,log (x, y)\n', 1,
     "parameter 'a': ',log' applies only to types i and r, not 'c'"),
    ('irace', 'a "-a " c (x, y)\n[constraints]\n', 2,
     'unknown section [constraints]: expected [global] or [forbidden]'),
    ('irace', 'a "-a " r,log (0, 10)\n', 1,
     "real parameter 'a': log scale needs bounds > 0, got [0.0, 10.0]"),
    ('json', '{"name": "x",\n "hyperparameters": [}\n', 2,
     'not valid JSON: Expecting value (column 22)'),
    ('pcs_new', 'n integer [1, 10] [2.5]\n', 1,
     "integer parameter 'n': default 2.5 is not an integer"),
    ('pcs', 'c {a, b, a} [a]\n', 1,
     "categorical parameter 'c': value 'a' is listed twice"),
    ('pcs', 'a {x, y} [x]\nb [0, 1] [0]\nb | a > x\n', 3,
     "condition of 'b': operator '>' needs a numerical or ordinal parameter, 'a' is categorical"),
    ('pcs', 'a {x, y} [x]\nb [0, 1] [0]\nb | a is x\n', 3,
     "cannot parse the condition of 'b' at 'a is x': expected 'parent in {a, b}', 'parent == value' (or !=, <, >), joined by && or ||"),
    ('pcs', 'a {x, y} [x]\n{a:x}\n', 2,
     "cannot parse forbidden clause {a:x} at 'a:x': expected {name=value, name=value, ...}"),
    ('pcs_new', 'a {x, y} [x]\n', 1,
     "cannot parse line 'a {x, y} [x]': expected '<name> categorical|ordinal {a, b} [default]' or '<name> integer|real [lower, upper] [default] [log]', a condition or a forbidden clause"),
    ('irace', 'a "-a " c (x, y)\n[global]\nseed = 3\n', 3,
     "cannot parse [global] setting 'seed = 3': expected 'digits = N'"),
    ('pcs', 'a {x, y} [x]\nb [0, 1] [0]\nb | a in {}\n', 3,
     "condition of 'b': expected at least one value in 'a in {...}'"),
    ('pcs', 'a {x, y} [x]\nb [0, 1] [0]\n{a=y, b=0.5}\n{a=x, a=y}\n', 4,
     "forbidden clause can never apply: 'a' cannot take all the values it names"),
]


@pytest.mark.parametrize("fmt, text, line, message", CASES, ids=[f"{i:02d}-{c[0]}" for i, c in enumerate(CASES)])
def test_bad_parameter_file(tmp_path, fmt, text, line, message):
    suffix = {"pcs": ".pcs", "pcs_new": ".pcs", "irace": ".txt", "json": ".json"}[fmt]
    path = tmp_path / f"params{suffix}"
    path.write_text(text)
    with pytest.raises(SpaceError) as info:
        read_space(path, fmt)
    err = info.value
    assert (err.file, err.line, err.message) == (str(path), line, message)
    assert str(err) == f"{path}:{line}: {message}"


def test_missing_file_names_it(tmp_path):
    path = tmp_path / "missing.pcs"
    with pytest.raises(SpaceError) as info:
        read_space(path)
    assert str(info.value) == f"{path}: cannot read parameter file: No such file or directory"


def test_bad_json_content_names_the_file(tmp_path):
    path = tmp_path / "space.json"
    path.write_text('{"name": "x", "hyperparameters": [{"type": "uniform_int", "name": "n", "lower": 5, '
                    '"upper": 1, "default_value": 3, "log": false}], "conditions": [], "forbiddens": []}')
    with pytest.raises(SpaceError) as info:
        read_space(path)
    assert info.value.file == str(path) and info.value.line is None
    assert info.value.message.startswith("not a ConfigSpace JSON space: ")
