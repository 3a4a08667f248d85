"""Write the bad-input corpus: ``python tests/data/bad_inputs/make_bad_inputs.py`` (re-run after editing).

Every case is a folder ``cases/<category>/<name>/`` holding the files of one broken input (and the
valid files around it), plus one entry of ``cases.json``:

* ``argv``: the ``algoconf`` command that reads it (``{case}`` is the case folder, ``{tmp}`` a fresh
  scratch folder), or ``reader`` for inputs read by a library function without a command of their own
  (``read_cnf``);
* ``file``: the path, relative to the case folder, that the one-line error must name;
* ``line``: the line it must name (null where the input has no line: a folder, a binary file);
* ``env``: environment variables for the case (e.g. a lower CNF size cap).

tests/test_reliability/test_bad_inputs.py runs every case and asserts exit code 2, one line on
stderr, the file and the line; benchmarks/faults.py counts them. The corpus is generated, so it is
deterministic and reviewable: the case names say what is broken.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import pickle
import shutil
import sqlite3
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "cases"
MINI = HERE.parent / "aslib_mini"

CASES: list[dict] = []


def case(category: str, name: str, files: dict[str, bytes | str | None], *, argv=None, reader=None,
         file: str, line: int | None, env: dict | None = None, slow: bool = False) -> Path:
    folder = OUT / category / name
    folder.mkdir(parents=True)
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:  # a folder where a file is expected
            path.mkdir(parents=True, exist_ok=True)
            (path / ".keep").write_bytes(b"")  # git keeps no empty folder: a fresh clone would lack the case
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    entry = {"id": f"{category}/{name}", "file": file, "line": line}
    if argv is not None:
        entry["argv"] = argv
    if reader is not None:
        entry["reader"] = reader
    if env:
        entry["env"] = env
    if slow:
        entry["slow"] = True
    CASES.append(entry)
    return folder


# --- CNF (algoconf.instances.dimacs.read_cnf) -------------------------------------------------------------------
GOOD_CLAUSES = ["1 -2 3 0", "-1 2 0", "2 3 -4 0", "4 -5 0", "-3 5 1 0", "5 0", "-2 -4 0", "1 4 0"]


def cnf_text(clauses: list[str], n_vars: int = 5, header: str | None = None) -> str:
    head = header if header is not None else f"p cnf {n_vars} {len(clauses)}"
    return "c generated\n" + head + "\n" + "\n".join(clauses) + "\n"


def cnf_cases() -> None:
    def add(name: str, content, line, **kw):
        case("cnf", name, {"f.cnf": content}, reader="read_cnf", file="f.cnf", line=line, **kw)

    for k in range(len(GOOD_CLAUSES)):  # the same faults on every clause line: line numbers must follow
        line = 3 + k  # comment, header, then clause k
        for fault, literal in (("out_of_range", "9"), ("negative_out_of_range", "-6"), ("not_integer", "x"),
                               ("decimal", "1.5"), ("double_minus", "--1"), ("trailing_minus", "1-"),
                               ("beyond_64_bits", "99999999999999999999999")):
            clauses = list(GOOD_CLAUSES)
            clauses[k] = clauses[k].replace(" 0", f" {literal} 0", 1)
            add(f"{fault}_clause{k + 1}", cnf_text(clauses), line)
    add("empty", "", None)
    add("whitespace_only", "  \n\n\t\n", None)
    add("no_header", "1 2 0\n", 1)
    add("header_dnf", cnf_text(GOOD_CLAUSES, header="p dnf 5 8"), 2)
    add("header_missing_counts", cnf_text(GOOD_CLAUSES, header="p cnf"), 2)
    add("header_words", cnf_text(GOOD_CLAUSES, header="p cnf five eight"), 2)
    add("header_negative", cnf_text(GOOD_CLAUSES, header="p cnf -5 8"), 2)
    add("header_extra", cnf_text(GOOD_CLAUSES, header="p cnf 5 8 9"), 2)
    add("header_too_many_variables", cnf_text(["1 0"], header="p cnf 3000000000 1"), 2)
    add("header_401_digits", cnf_text(["1 0"], header="p cnf " + "9" * 401 + " 1"), 2)
    add("more_clauses_than_declared", cnf_text(GOOD_CLAUSES, header="p cnf 5 7"), 2)
    add("fewer_clauses_than_declared", cnf_text(GOOD_CLAUSES, header="p cnf 5 9"), 2)
    add("no_terminating_zero", cnf_text(GOOD_CLAUSES[:-1] + ["1 4"]), 10)
    add("clause_before_header", "1 2 0\np cnf 2 1\n1 0\n", 1)
    add("literal_beyond_int32", cnf_text(["2500000000 0"], header="p cnf 3000000000 1"), 2)
    add("binary_garbage", bytes(range(256)) * 4, None)
    add("latin1_comment_then_bad", b"c caf\xe9\np cnf 2 1\n1 \xff 0\n", 3)
    add("truncated_gzip", gzip.compress(cnf_text(GOOD_CLAUSES).encode(), mtime=0)[:30], None)
    add("gzip_of_garbage", gzip.compress(b"\x00\x01garbage", mtime=0), None)
    add("truncated_bz2", bz2.compress(cnf_text(GOOD_CLAUSES).encode())[:30], None)
    add("truncated_xz", lzma.compress(cnf_text(GOOD_CLAUSES).encode())[:30], None)
    add("gzip_magic_only", b"\x1f\x8b", None)
    bomb = gzip.compress(b"p cnf 1 1\nc " + b"0" * (3 * 2**20) + b"\n1 0\n", 9, mtime=0)
    add("gzip_bomb_over_cap", bomb, None, env={"ALGOCONF_MAX_CNF_MB": "1"})
    add("plain_over_cap", b"p cnf 1 1\nc " + b"0" * 200_000 + b"\n1 0\n", None, env={"ALGOCONF_MAX_CNF_MB": "0.1"})
    case("cnf", "a_folder", {"f.cnf": None}, reader="read_cnf", file="f.cnf", line=None)


# --- parameter files (algoconf space show FILE) ----------------------------------------------------------
PCS_GOOD = ["x real [0, 1] [0.5]", "n integer [1, 100] [10]", "c categorical {a, b, c} [a]", "flag categorical {on, off} [on]"]


def pcs_cases() -> None:
    def add(name: str, lines: list[str] | bytes, line, fname="space.pcs"):
        content = lines if isinstance(lines, bytes) else "\n".join(lines) + "\n"
        case("pcs", name, {fname: content}, argv=["space", "show", "{case}/" + fname], file=fname, line=line)

    faults = {
        "unknown_type": "y complex [0, 1] [0]",
        "lower_above_upper": "y real [1, 0] [0.5]",
        "default_outside": "y real [0, 1] [2]",
        "log_with_zero": "y real [0, 1] [0.5]log",
        "real_bounds_1e308": "y real [-1e308, 1e308] [0]",
        "integer_bounds_1e23": "y integer [0, 100000000000000000000000] [5]",
        "integer_default_fraction": "y integer [0, 10] [2.5]",
        "categorical_default_unknown": "y categorical {a, b} [z]",
        "unclosed_bracket": "y real [0, 1 [0.5]",
        "garbage_line": "this is not a parameter",
        "duplicate_name": "x real [0, 1] [0.5]",
        "condition_on_unknown": "x | nope == 1",
        "condition_bad_value": "flag | c == z",
        "forbidden_unknown": "{nope=1, x=0.5}",
        "bounds_not_numbers": "y real [a, b] [c]",
        "nan_bound": "y real [nan, 1] [0.5]",
    }
    for i, (fault, bad) in enumerate(faults.items()):
        where = i % (len(PCS_GOOD) + 1)  # the bad line at different places
        lines = PCS_GOOD[:where] + [bad] + PCS_GOOD[where:]
        if fault.startswith(("condition", "forbidden", "duplicate")):
            lines = PCS_GOOD + [bad]
            where = len(PCS_GOOD)
        add(fault, lines, where + 1)
    add("not_utf8", ("\n".join(PCS_GOOD) + "\n").encode() + b"y categorical {caf\xe9} [caf\xe9]\n", 5)
    add("utf16", "\n".join(PCS_GOOD).encode("utf-16"), 1)
    case("pcs", "a_folder", {"space.pcs": None}, argv=["space", "show", "{case}/space.pcs"], file="space.pcs", line=None)


# --- YAML scenarios (algoconf scenario check FILE) ---------------------------------------------------------
BASE_FILES = {"a.cnf": "p cnf 2 1\n1 2 0\n", "b.cnf": "p cnf 2 1\n-1 2 0\n", "space.pcs": "x real [0, 1] [0.5]\n",
              "train.txt": "a.cnf\nb.cnf\n"}
YAML_LINES = ['name: corpus', 'target: {command: "true {instance}"}', "space: space.pcs", "train: train.txt",
              "objective: runtime", "cutoff: 5", "seed: 1"]


# target definition errors come from algoconf.targets, which names neither the scenario file nor its line (yet)
NAMES_NO_FILE = {"target_unknown_runner", "target_unknown_output"}


def yaml_case(name: str, lines: list[str] | bytes, line, *, extra: dict | None = None, file="scenario.yaml") -> None:
    if name in NAMES_NO_FILE:
        file, line = None, None
    content = lines if isinstance(lines, bytes) else "\n".join(lines) + "\n"
    files = dict(BASE_FILES, **{"scenario.yaml": content}, **(extra or {}))
    case("scenario_yaml", name, files, argv=["scenario", "check", "{case}/scenario.yaml"], file=file, line=line)


def replace(key: str, new: str) -> tuple[list[str], int]:
    lines = [new if ln.startswith(key + ":") else ln for ln in YAML_LINES]
    return lines, next(i for i, ln in enumerate(YAML_LINES) if ln.startswith(key + ":")) + 1


def yaml_cases() -> None:
    for key, value, name in [
        ("cutoff", "-5", "cutoff_negative"), ("cutoff", "0", "cutoff_zero"), ("cutoff", "9" * 401, "cutoff_401_digits"),
        ("cutoff", ".nan", "cutoff_nan"), ("cutoff", ".inf", "cutoff_inf"), ("cutoff", "five", "cutoff_text"),
        ("cutoff", "[5]", "cutoff_list"), ("seed", "one", "seed_text"), ("seed", "1.5", "seed_fraction"),
        ("seed", "9" * 30, "seed_huge"), ("objective", "speed", "objective_unknown"),
        ("name", "../../outside", "name_escapes_run_folder"), ("name", "/tmp/abs", "name_absolute"),
        ("name", "a/b", "name_with_slash"), ("name", "''", "name_empty"), ("name", "[1, 2]", "name_list"),
        ("space", "missing.pcs", "space_missing"), ("train", "missing.txt", "train_list_missing"),
        ("train", "{names: []}", "train_names_empty"), ("train", "[missing.cnf]", "train_instance_missing"),
        ("train", "[a.cnf, a.cnf]", "train_duplicate"), ("train", "7", "train_number"),
        ("target", "{command: 'true', runner: minisat}", "target_two_kinds"),
        ("target", "{runner: nosuchsolver}", "target_unknown_runner"),  # known: names neither file nor line
        ("target", "{command: 'true {instance}', syntax: weird}", "target_unknown_syntax"),
        ("target", "{command: 'true {instance}', output: weird}", "target_unknown_output"),
        ("target", "{command: 'true {nope}'}", "target_unknown_placeholder"),
        ("target", "{command: 'true {instance}', colour: red}", "target_unknown_key"),
        ("target", "{}", "target_empty"), ("target", "just a string", "target_string"),
    ]:
        lines, line = replace(key, f"{key}: {value}")
        yaml_case(name, lines, line)
    for name, added in [
        ("unknown_key", "cutof: 5"), ("memory_limit_huge", "memory_limit: 99999999999999"),
        ("memory_limit_negative", "memory_limit: -1"), ("time_kind_unknown", "time_kind: moon"),
        ("par_factor_negative", "par_factor: -10"), ("budget_runs_negative", "budget: {runs: -1}"),
        ("budget_wallclock_nan", "budget: {wallclock: .nan}"), ("budget_unknown_key", "budget: {hours: 3}"),
        ("budget_not_mapping", "budget: 100"), ("crash_policy_unknown", "crash_policy: ignore"),
        ("max_failure_rate_above_one", "max_failure_rate: 2"), ("duplicate_key", "seed: 2"),
        ("instance_cache_is_a_file", "instance_cache: a.cnf"),
        ("instance_cache_absolute", "instance_cache: /tmp/algoconf-corpus-cache"),
        ("instance_cache_escapes", "instance_cache: ../../cache"), ("features_missing", "features: nope.csv"),
        ("feature_costs_without_features", "feature_costs: costs.csv"),
    ]:
        yaml_case(name, YAML_LINES + [added], len(YAML_LINES) + 1)
    yaml_case("train_instance_is_a_folder", YAML_LINES[:3] + ["train: [a.cnf, sub]"] + YAML_LINES[4:], 4,
              extra={"sub": None})
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, nm in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{nm}: &{nm} [" + ",".join([f"*{prev}"] * 9) + "]")
    yaml_case("alias_bomb", levels + YAML_LINES, 1)
    yaml_case("not_utf8", ("\n".join(YAML_LINES) + "\n# caf\xe9\n").encode("latin-1"), 8)
    yaml_case("tab_indentation", YAML_LINES + ["budget:", "\truns: 5"], 9)
    yaml_case("unclosed_quote", YAML_LINES + ['instance_cache: "oops'], None)
    yaml_case("not_a_mapping", ["- a", "- b"], 1)
    yaml_case("only_a_comment", ["# nothing here"], None)
    yaml_case("missing_target", [ln for ln in YAML_LINES if not ln.startswith("target")], None)
    yaml_case("missing_cutoff_for_runtime", [ln for ln in YAML_LINES if not ln.startswith("cutoff")], 5)
    case("scenario_yaml", "scenario_is_a_folder", {"scenario.yaml": None},
         argv=["scenario", "check", "{case}/scenario.yaml"], file="scenario.yaml", line=None)


# --- AClib scenario.txt (algoconf scenario check FILE) -------------------------------------------------------
ACLIB = ["algo = true", "paramfile = space.pcs", "run_obj = runtime", "cutoff_time = 5", "instance_file = train.txt"]


def aclib_cases() -> None:
    def add(name, lines, line, extra=None):
        content = lines if isinstance(lines, bytes) else "\n".join(lines) + "\n"
        files = dict(BASE_FILES, **{"scenario.txt": content}, **(extra or {}))
        case("scenario_aclib", name, files, argv=["scenario", "check", "{case}/scenario.txt"], file="scenario.txt",
             line=line)

    for name, bad, line in [
        ("cutoff_negative", "cutoff_time = -5", 4), ("cutoff_text", "cutoff_time = soon", 4),
        ("cutoff_401_digits", "cutoff_time = " + "9" * 401, 4), ("run_obj_unknown", "run_obj = speed", 3),
        ("paramfile_missing", "paramfile = nope.pcs", 2), ("instance_file_missing", "instance_file = nope.txt", 5),
        ("key_without_value", "cutoff_time =", 4),
    ]:
        lines = [bad if ln.split(" =")[0] == bad.split(" =")[0] else ln for ln in ACLIB]
        add(name, lines, line)
    add("unknown_key", ACLIB + ["frobnicate = yes"], 6)
    add("duplicate_key", ACLIB + ["cutoff_time = 7"], 6)
    add("runcount_negative", ACLIB + ["runcount_limit = -3"], 6)
    add("runcount_401_digits", ACLIB + ["runcount_limit = " + "9" * 401], 6)
    add("wallclock_nan", ACLIB + ["wallclock_limit = nan"], 6)
    add("memory_huge", ACLIB + ["memory_limit = 99999999999999"], 6)
    add("not_utf8", ("\n".join(ACLIB) + "\n# caf\xe9\n").encode("latin-1"), 6)
    add("missing_algo", ACLIB[1:], 1)


# --- instance lists (scenario check, the list named by train:) ---------------------------------------------
def instance_list_cases() -> None:
    def add(name, content, line, extra=None):
        files = dict(BASE_FILES, **{"scenario.yaml": "\n".join(YAML_LINES) + "\n", "train.txt": content}, **(extra or {}))
        case("instance_list", name, files, argv=["scenario", "check", "{case}/scenario.yaml"], file="train.txt",
             line=line)

    add("duplicate", "a.cnf\nb.cnf\na.cnf\n", 3)
    add("missing_file", "a.cnf\nnope.cnf\n", 2)
    add("folder_instance", "a.cnf\nsub\n", 2, extra={"sub": None})
    add("unbalanced_quote", "a.cnf\n'b.cnf\n", 2)
    add("empty", "", None)
    add("comments_only", "# nothing\n# here\n", None)
    add("not_utf8", b"a.cnf\nb.cnf\ncaf\xe9.cnf\n", 3)
    add("binary", bytes(range(1, 256)), None)
    case("instance_list", "list_is_a_folder", dict(BASE_FILES, **{"scenario.yaml": "\n".join(YAML_LINES) + "\n",
                                                                   "train.txt": None}),
         argv=["scenario", "check", "{case}/scenario.yaml"], file="train.txt", line=None)


# --- feature tables (scenario check, the CSV named by features:) -------------------------------------------
def feature_cases() -> None:
    scenario = "\n".join(YAML_LINES + ["features: features.csv"]) + "\n"

    def add(name, content, line):
        files = dict(BASE_FILES, **{"scenario.yaml": scenario, "features.csv": content})
        case("feature_csv", name, files, argv=["scenario", "check", "{case}/scenario.yaml"], file="features.csv",
             line=line)

    add("ragged_row", "instance,f1,f2\na.cnf,1,2\nb.cnf,3\n", 3)
    add("not_a_number", "instance,f1,f2\na.cnf,1,2\nb.cnf,3,abc\n", 3)
    add("nan_value", "instance,f1,f2\na.cnf,1,nan\nb.cnf,3,4\n", 2)
    add("unknown_instance", "instance,f1\na.cnf,1\nb.cnf,2\nc.cnf,3\n", 4)
    add("missing_instance", "instance,f1\na.cnf,1\n", None)
    add("duplicate_instance", "instance,f1\na.cnf,1\na.cnf,2\nb.cnf,3\n", 3)
    add("no_feature_columns", "instance\na.cnf\nb.cnf\n", 1)
    add("empty", "", None)
    add("not_utf8", b"instance,f1\na.cnf,1\nb.cnf,\xff\n", 3)
    add("duplicate_feature_name", "instance,f1,f1\na.cnf,1,2\nb.cnf,3,4\n", 1)


# --- ASlib scenarios (algoconf select evaluate DIR) --------------------------------------------------------
def aslib_cases() -> None:
    def add(name, edit: dict[str, str | bytes | None], file: str, line):
        files = {p.name: p.read_bytes() for p in MINI.iterdir() if p.suffix in (".arff", ".txt")}
        files.update(edit)
        case("aslib", name, files, argv=["select", "evaluate", "{case}", "--selector", "single-best"], file=file,
             line=line)

    runs = (MINI / "algorithm_runs.arff").read_text().splitlines()
    data_at = next(i for i, ln in enumerate(runs) if ln.strip().lower() == "@data") + 1
    first = runs[data_at].split(",")

    def runs_with(row: str) -> str:
        return "\n".join(runs[:data_at] + [row] + runs[data_at + 1:]) + "\n"

    rt_col = 3
    for name, value in [("negative_runtime", "-0.06"), ("runtime_text", "fast"), ("runtime_inf", "inf")]:
        row = first[:rt_col] + [value] + first[rt_col + 1:]
        add(name, {"algorithm_runs.arff": runs_with(",".join(row))}, "algorithm_runs.arff", data_at + 1)
    row = first[:-1] + ["exploded"]
    add("bad_runstatus", {"algorithm_runs.arff": runs_with(",".join(row))}, "algorithm_runs.arff", data_at + 1)
    add("ragged_row", {"algorithm_runs.arff": runs_with(",".join(first[:2]))}, "algorithm_runs.arff", data_at + 1)
    add("runs_missing", {"algorithm_runs.arff": None}, "algorithm_runs.arff", None)
    add("runs_not_utf8_header", {"algorithm_runs.arff": b"@relation \xff\xfe\n"}, "algorithm_runs.arff", None)
    desc = (MINI / "description.txt").read_text()
    add("description_not_yaml", {"description.txt": desc + "\n  : : [\n"}, "description.txt", None)
    levels = ['zz_a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, nm in zip("abcdefghij", "bcdefghijk"):
        levels.append(f"zz_{nm}: &{nm} [" + ",".join([f"*{prev}"] * 9) + "]")
    add("description_alias_bomb", {"description.txt": "\n".join(levels) + "\n" + desc}, "description.txt", None)
    add("description_not_mapping", {"description.txt": "- just\n- a list\n"}, "description.txt", 1)
    add("description_bad_type", {"description.txt": desc.replace("performance_type: [runtime]", "performance_type: [speed]")},
        "description.txt", None)
    add("description_folder", {"description.txt": None}, "description.txt", None)


# --- selector models (algoconf select run MODEL INSTANCE) --------------------------------------------------------
class _Hostile:
    def __reduce__(self):
        import os

        return (os.system, ("touch /tmp/algoconf-corpus-pwned",))


def model_cases() -> None:
    def add(name, content, file="m.model"):
        case("model", name, {"m.model": content, "a.cnf": BASE_FILES["a.cnf"]},
             argv=["select", "run", "{case}/m.model", "{case}/a.cnf"], file=file, line=None)

    add("hostile_pickle", pickle.dumps({"format": "algoconf-selector", "version": 1, "selector": _Hostile()}))
    add("old_pickle_plain_dict", pickle.dumps({"format": "algoconf-selector", "version": 1}))
    add("empty", b"")
    add("text", "not a model\n")
    add("zip_truncated", b"PK\x03\x04" + b"\x00" * 20)

    def zipped(members: dict[str, bytes | str]) -> bytes:
        import io

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for k, v in members.items():
                z.writestr(zipfile.ZipInfo(k, date_time=(1980, 1, 1, 0, 0, 0)), v)  # deterministic bytes
        return buf.getvalue()

    manifest = {"format": "algoconf-selector", "version": 2, "algorithms": ["minisat"], "feature_names": [],
                "cutoff": 5}
    add("zip_without_manifest", zipped({"other.txt": "x"}))
    add("manifest_not_json", zipped({"manifest.json": "{nope", "selector.skops": b""}))
    add("manifest_other_format", zipped({"manifest.json": json.dumps(dict(manifest, format="x")), "selector.skops": b""}))
    add("manifest_future_version", zipped({"manifest.json": json.dumps(dict(manifest, version=99)),
                                           "selector.skops": b""}))
    add("manifest_without_payload", zipped({"manifest.json": json.dumps(manifest)}))
    add("payload_garbage", zipped({"manifest.json": json.dumps(manifest), "selector.skops": b"garbage"}))
    case("model", "a_folder", {"m.model": None, "a.cnf": BASE_FILES["a.cnf"]},
         argv=["select", "run", "{case}/m.model", "{case}/a.cnf"], file="m.model", line=None)


# --- run histories (algoconf history show RUNDIR) -------------------------------------------------------------
def _history(folder: Path) -> Path:
    """A small valid history (written with algoconf's own RunHistory) in ``folder``."""
    from algoconf.history import RunHistory
    from algoconf.records import RunRequest, RunResult

    with RunHistory.open(folder, fingerprint={"corpus": 1}) as h:
        h.commit([RunResult(RunRequest({"x": 0.5}, "a.cnf", 1, 5.0), "SUCCESS", 0.1)], {})
    (folder / ".lock").unlink(missing_ok=True)
    return folder / "history.sqlite"


def history_cases() -> None:
    def add(name, mutate, file="run/history.sqlite"):
        folder = case("history", name, {}, argv=["history", "show", "{case}/run"], file=file, line=None)
        (folder / "run").mkdir()
        mutate(folder / "run")

    def sql(statement):
        def mutate(run):
            path = _history(run)
            with sqlite3.connect(path) as conn:
                conn.execute(statement)
            for suffix in ("-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        return mutate

    add("history_is_a_folder", lambda run: (run / "history.sqlite").mkdir())
    add("not_sqlite", lambda run: (run / "history.sqlite").write_bytes(b"hello, not a database\n" * 10))
    add("truncated_header", lambda run: (run / "history.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 50))
    add("unrelated_sqlite", lambda run: sqlite3.connect(run / "history.sqlite").executescript(
        "CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('x');").close())
    add("meta_table_dropped", sql("DROP TABLE meta"))
    # a resume must not go on unchecked when the stored fingerprint is gone
    resume = dict(BASE_FILES, **{"scenario.yaml": "\n".join(YAML_LINES + ["budget: {runs: 4}"]) + "\n"})
    folder = case("history", "fingerprint_deleted_then_resumed", resume,
                  argv=["configure", "{case}/scenario.yaml", "--tuner", "random", "--no-validate", "--out", "{case}/run"],
                  file="run/history.sqlite", line=None)
    sql("DELETE FROM meta WHERE key = 'fingerprint'")(folder / "run")
    add("row_info_bad_json", sql("UPDATE runs SET info = '{not json'"))
    add("row_unknown_status", sql("UPDATE runs SET status = 'EXPLODED'"))
    add("config_bad_json", sql("UPDATE configs SET config = '[[['"))


# --- command-line options (algoconf configure) ------------------------------------------------------------------
def option_cases() -> None:
    files = dict(BASE_FILES, **{"scenario.yaml": "\n".join(YAML_LINES + ["budget: {runs: 4}"]) + "\n"})
    base = ["configure", "{case}/scenario.yaml", "--no-validate", "--out", "{tmp}/run"]
    for name, extra, file in [
        ("budget_negative", ["--tuner", "random", "--budget", "-5"], None),
        ("budget_nan", ["--tuner", "random", "--budget", "nan"], None),
        ("budget_inf", ["--tuner", "random", "--budget", "inf"], None),
        ("runs_negative", ["--tuner", "random", "--runs", "-1"], None),
        ("runs_zero", ["--tuner", "random", "--runs", "0"], None),
        ("cpu_time_negative", ["--tuner", "random", "--cpu-time", "-1"], None),
        ("workers_zero", ["--tuner", "random", "--workers", "0"], None),
        ("option_unknown", ["--tuner", "random", "--option", "foo=1"], None),
        ("option_not_key_value", ["--tuner", "random", "--option", "foo"], None),
        ("option_alpha_2", ["--tuner", "acband", "--option", "alpha=2"], None),
        ("option_k_0", ["--tuner", "acband", "--option", "k=0"], None),
        ("option_first_test_negative", ["--tuner", "random", "--option", "first_test=-4"], None),
        ("scheduler_not_a_url", ["--tuner", "random", "--scheduler", "not a url"], None),
    ]:
        case("options", name, files, argv=base + extra, file=file, line=None)
    case("options", "out_is_a_file", files,
         argv=["configure", "{case}/scenario.yaml", "--tuner", "random", "--out", "{case}/a.cnf"], file="a.cnf",
         line=None)
    case("options", "scheduler_unreachable", files, argv=base + ["--tuner", "random", "--scheduler", "tcp://127.0.0.1:9"],
         file=None, line=None, slow=True)


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    for make in (cnf_cases, pcs_cases, yaml_cases, aclib_cases, instance_list_cases, feature_cases, aslib_cases,
                 model_cases, history_cases, option_cases):
        make()
    (HERE / "cases.json").write_text(json.dumps(CASES, indent=1) + "\n")
    n_files = sum(1 for p in OUT.rglob("*") if p.is_file())
    print(f"{len(CASES)} cases, {n_files} files under {OUT}")


if __name__ == "__main__":
    main()
