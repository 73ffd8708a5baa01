"""Deterministic, realistic filled templates for the benchmarks, valid or with a known share of defects."""

import argparse
import collections
import dataclasses
import json
import random
from dataclasses import dataclass
from pathlib import Path

import staffrec
from staffrec.demo import demo_registry
from staffrec.demo_staff import COLLECTION_DATE, demo_records

SIGNOFF = {
    "entered_by": "李明",
    "checked_by": "王芳",
    "principal": "赵刚",
    "phone": "0471-6600000",
    "filled_on": COLLECTION_DATE.isoformat(),
}
FIRST_ROW = 4  # Excel row of the first record (title, sign-off and header come first)
XLS_MAX_RECORDS = 65533
LARGE = 300  # more staff than this: take a university (高校) rather than a K-12 school
CHECK_CHARACTERS = "0123456789X"

# Each kind of defect, the columns it rotates over, and the finding code staffrec must report.
DEFECT_KINDS = ("check_digit", "bare_code", "invalid_date", "empty_required")
DEFECT_COLUMNS = {
    "check_digit": ("id_number",),
    "bare_code": ("sex", "marital_status", "health"),
    "invalid_date": ("birth_date",),
    "empty_required": ("name", "birthplace", "education_institution", "marital_status"),
}
FINDING_CODE = {
    "check_digit": "id.check_digit",
    "bare_code": "cell.variant",
    "invalid_date": "date.invalid",
    "empty_required": "cell.required",
}


@dataclass(frozen=True)
class Defect:
    """One injected defect: Excel row, column key, the value written and the finding code expected."""

    row: int
    kind: str
    key: str
    value: str
    code: str


@dataclass(frozen=True)
class Sample:
    """A written template file, its school, the records written and the defects injected."""

    path: Path
    school: object
    records: list
    defects: list


def pick_school(registry, rows):
    """Return the registry's first 高校 for large sizes, else its first 中小学 school."""
    wanted = "高校" if rows > LARGE else "中小学"
    return next(s for s in registry if s.kind().name == wanted)


def _broken(kind, value, serial):
    """Return the defective form of a canonical value for one kind of defect."""
    if kind == "check_digit":
        right = CHECK_CHARACTERS.index(value[17])
        return value[:17] + CHECK_CHARACTERS[(right + 1 + serial % 10) % 11]
    if kind == "bare_code":
        return value.partition("-")[0]  # "1-男" -> "1"
    if kind == "invalid_date":
        return f"{value[:4]}-02-30"
    return ""


def inject_defects(records, share, seed=0, template_kind=None):
    """Give `share` of the records (dicts) one defect each, in place; return the defects by row.

    With `template_kind`, an emptied column is one that kind requires (出生地 is optional for 中小学).
    """
    if share <= 0:
        return []
    count = max(1, round(len(records) * share))
    rng = random.Random(f"bench-defects/{seed}")
    required = {i.key for i in template_kind.indicators if i.is_required} if template_kind else None
    defects = []
    for serial, index in enumerate(sorted(rng.sample(range(len(records)), count))):
        kind = DEFECT_KINDS[serial % len(DEFECT_KINDS)]
        columns = DEFECT_COLUMNS[kind]
        if kind == "empty_required" and required is not None:
            columns = tuple(c for c in columns if c in required)
        key = columns[serial // len(DEFECT_KINDS) % len(columns)]
        value = _broken(kind, records[index][key], serial)
        records[index][key] = value
        defects.append(Defect(FIRST_ROW + index, kind, key, value, FINDING_CODE[kind]))
    return defects


def write_sample(out_dir, rows, share=0.0, seed=0, fmt="xls", registry=None):
    """Write one school's filled template of `rows` records, `share` of them with a defect."""
    if fmt == "xls" and rows > XLS_MAX_RECORDS:
        raise ValueError(f"an .xls sheet holds at most {XLS_MAX_RECORDS} records, not {rows}")
    registry = registry or demo_registry()
    school = pick_school(registry, rows)
    kind = school.kind()
    records = demo_records(school, rows, seed=seed, taken_ids=set())
    defects = inject_defects(records, share, seed, template_kind=kind)
    # new_template canonicalises dicts ("1" -> "1-男"), which would undo a bare code; Records are
    # written exactly as given, and demo rows are canonical already.
    as_written = [staffrec.Record(kind.keys, tuple(r[k] for k in kind.keys)) for r in records]
    template = staffrec.new_template(school, as_written, signoff=SIGNOFF)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return Sample(template.save(out_dir, fmt), school, records, defects)


CACHE = Path(__file__).parent / "out" / "samples"


def cached_sample(rows, share=0.0, seed=0, fmt="xls", registry=None):
    """Return write_sample's file for these parameters, written once into bench/out/samples/.

    The Sample's records are not kept (None); its defects are, beside the file.
    """
    folder = CACHE / f"r{rows}-d{share}-s{seed}-{fmt}"
    manifest = folder / "defects.json"
    if manifest.exists():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        registry = registry or demo_registry()
        return Sample(folder / saved["file"], pick_school(registry, rows), None, [Defect(**d) for d in saved["defects"]])
    sample = write_sample(folder, rows, share, seed, fmt, registry)
    manifest.write_text(json.dumps({"file": sample.path.name, "defects": [dataclasses.asdict(d) for d in sample.defects]},
                                   ensure_ascii=False), encoding="utf-8")
    return dataclasses.replace(sample, records=None)


def main(argv=None):
    """Write one sample file and print where it is and what was injected."""
    parser = argparse.ArgumentParser(prog="python -m bench.data", description=__doc__)
    parser.add_argument("--rows", type=int, default=5000, help="records, 60 to 60000 (default 5000)")
    parser.add_argument("--defects", type=float, default=0.02, help="share of rows with a defect (0.02)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fmt", choices=("xls", "xlsx"), default="xls")
    parser.add_argument("--out", default="bench/out", help="directory to write into (bench/out)")
    args = parser.parse_args(argv)
    sample = write_sample(args.out, args.rows, args.defects, args.seed, args.fmt)
    kinds = collections.Counter(d.kind for d in sample.defects)
    print(f"{sample.path}: {args.rows} rows, {len(sample.defects)} defects {dict(kinds)}")


if __name__ == "__main__":
    main()
