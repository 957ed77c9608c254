"""The results matrix and the backend status, rendered from the committed matrix data.

Source of truth: ``docs/data/results-matrix.json``, written by
``convspec matrix`` (schema ``convspec-matrix/1``, see
:mod:`convspec.conformance.matrix`).  The real libraries are not installed when
the site is built, so the data is a committed file; every table and list on
the pages is generated from it here and never edited by hand.

Markers:

* ``results-matrix``: the summary (versions, counts, accuracy, run time);
* ``results-verdicts op=conv``: one operation's verdicts, a table per property
  area (rows = backends, columns = properties);
* ``results-features op=conv``: one operation's matrix of observations,
  features by backends, each cell linking to the finding that explains it
  (``docs/findings``) or to the backend's failures;
* ``results-failures page=deviations.md``: every failed or known cell of the
  operations that page covers (:data:`DEVIATION_PAGES`) with its problem
  descriptor, message and (for failures) the harness's reproducer;
* ``backend-status``: the short table of the home page.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .catalogue import md_escape
from .registry import MarkerError, marker

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "docs" / "data" / "results-matrix.json"
SCHEMA = "convspec-matrix/1"

#: Property areas in table order: heading, id prefixes.
AREAS = (
    ("Values", ("values.",)),
    ("Shape, dtype and layout", ("shape.", "dtype.", "layout.")),
    ("Side effects", ("effects.",)),
    ("NaN and infinity", ("special.",)),
    ("Metamorphic relations", ("metamorphic.",)),
    ("Invalid input", ("invalid.",)),
)

#: The layer's property areas: heading, id prefixes (the prefix is cut from the column names).
LAYER_AREAS = (
    ("The layer: values, shapes and effects", ("conv.covering", "conv.values", "conv.empty", "conv.specials",
                                               "conv.layout", "conv.effects", "conv.result_type",
                                               "conv.core", "conv.large")),
    ("The layer: metamorphic relations", ("conv.metamorphic.",)),
    ("The layer: invalid input", ("conv.invalid.",)),
)
OP_TITLES = {"conv2d": "The core, `conv2d`", "conv": "The layer, `conv`"}
_OBSERVED = {"holds": "holds", "deviates": "**deviates**", "refuses": "refuses",
             "crashes or hangs": "**crashes or hangs**", "not available": "n/a", "error": "**error**"}

_CELL = {"pass": "pass", "fail": "**fail**", "known": "known", "not claimed": "–", "error": "**error**"}


def load(path: Path | None = None) -> dict[str, Any]:
    """The matrix data (default :data:`DATA`); ``ValueError`` when the file has another schema."""
    path = path or DATA
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{path}: schema {data.get('schema')!r}, expected {SCHEMA!r}")
    return data


def anchor(row: dict[str, Any]) -> str:
    """The id of a row's section in the list of deviations (the operation is named for the
    gradients and the transposed convolution, whose adapters have a row on several)."""
    op = _op(row)
    suffix = "" if op in ("conv2d", "conv") else "-" + op.replace("_", "-")
    return f"deviations-{row['name']}{suffix}"


#: The page listing the failed and known cells of each group of operations, in nav order.
DEVIATION_PAGES = {"deviations.md": ("conv2d",), "deviations-layer.md": ("conv",),
                   "deviations-gradients.md": ("conv_input_grad", "conv_weight_grad", "conv_bias_grad",
                                               "conv_transpose")}


def deviations_link(row: dict[str, Any]) -> str:
    """Where a row's failed and known cells are explained: its page and section."""
    op = _op(row)
    page = next(page for page, ops in DEVIATION_PAGES.items() if op in ops)
    return f"{page}#{anchor(row)}"


def _label(row: dict[str, Any]) -> str:
    """A row's name as the pages show it: the adapter, and the operation where it has several."""
    return f"`{row['name']}`" if _op(row) in ("conv2d", "conv") else f"`{row['name']}` `{_op(row)}`"


def _ratio(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if value < 1:  # truncated, so that a ratio just below 1 does not read as 1
        return f"{math.floor(value * 1000) / 1000:.3f}"
    return f"{value:.3g}"


def _seconds(value: Any) -> str:
    return "–" if value is None else f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


def _ran(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for row in data["backends"] if row["state"] == "ran"]


def newer_properties(data: dict[str, Any]) -> list[str]:
    """Properties this convspec has that the data's run did not (added since it was generated)."""
    from convspec.conformance import property_ids
    known = {p["id"] for p in data["properties"]}
    ops = {_op(p) for p in data["properties"]}
    return [pid for op in sorted(ops) for pid in property_ids(op) if pid not in known]


def provenance(data: dict[str, Any]) -> str:
    """How and where the data was produced, and which properties it predates."""
    env = data["environment"]
    text = (f"Generated from `docs/data/results-matrix.json`: profile `{data['profile']}`, seed "
            f"{data['seed']}, run on {data['generated'][:10]} with Python {env['python']}, NumPy "
            f"{env['numpy']} and Hypothesis {env['hypothesis']} on {env['machine']} with "
            f"{env['cpus']} CPUs. Regenerate it with "
            f"`convspec matrix`.")
    newer = newer_properties(data)
    if newer:
        text += (" Properties added since, which no row has run yet: "
                 + ", ".join(f"`{pid}`" for pid in newer) + ".")
    return text


def _cell(row: dict[str, Any], pid: str) -> str:
    status = row["cells"].get(pid)
    if not status:  # the row was generated before the property existed
        return "*not run*"
    text = _CELL.get(status, "?")
    if status in ("fail", "known", "error"):
        return f"[{text}]({deviations_link(row)})"
    return text


def summary_table(data: dict[str, Any]) -> str:
    """Backend, version, counts per status, worst accuracy and run time."""
    out = ["| Backend | Op | Version | Pass | Fail | Known | Not claimed | Worst error (× bound) | Run time |",
           "|:---|:---|:---|---:|---:|---:|---:|---:|---:|"]
    for row in data["backends"]:
        if row["state"] != "ran":
            out.append(f"| `{row['name']}` | `{_op(row)}` | {row['state']} | | | | | | |")
            continue
        c = row["counts"]
        out.append(f"| [`{row['name']}`]({deviations_link(row)}) | `{_op(row)}` | "
                   f"{md_escape(row['version'] or '–')} | "
                   f"{c.get('pass', 0)} | {c.get('fail', 0) + c.get('error', 0)} | {c.get('known', 0)} | "
                   f"{c.get('not claimed', 0)} | {_ratio(row['worst_ratio'])} | {_seconds(row['seconds'])} |")
    return "\n".join(out)


def _op(item: dict[str, Any]) -> str:
    return item.get("op", "conv2d")


@marker("results-verdicts")
def results_verdicts(op: str) -> str:
    """The verdicts of one operation's rows, property by property: one table per property
    area, under its own heading, for the core and the layer; one table, with no heading,
    for the other operations."""
    areas = {"conv2d": AREAS, "conv": LAYER_AREAS}.get(op, (("", (op + ".",)),))
    lines = _op_area_tables(load(), op, areas)
    return "\n".join(lines) or "No verdicts of this operation in the data."


def _column(pid: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if prefix.endswith(".") and pid.startswith(prefix):
            return pid[len(prefix):]
    return pid[len("conv."):] if pid.startswith("conv.") else pid


def _op_area_tables(data: dict[str, Any], op: str, areas) -> list[str]:
    rows = [row for row in _ran(data) if _op(row) == op]
    out: list[str] = []
    if not rows:
        return out
    for heading, prefixes in areas:
        props = [p for p in data["properties"] if _op(p) == op and p["id"].startswith(prefixes)]
        if not props:
            continue
        if op == "conv2d":
            names = [p["id"] if len(prefixes) > 1 else p["id"].split(".", 1)[1] for p in props]
        else:
            names = [_column(p["id"], prefixes) for p in props]
        out += ([f"### {heading}", ""] if heading else []) + [
                "| Backend | " + " | ".join(f"`{n}`" for n in names) + " |",
                "|:---|" + "|".join(":---:" for _ in props) + "|"]
        out += ["| `" + row["name"] + "` | " + " | ".join(_cell(row, p["id"]) for p in props) + " |"
                for row in rows]
        out.append("")
    return out


def _observed_cell(row: dict[str, Any], feature: str, links: dict[tuple[str, str, str], list[str]]) -> str:
    if row["state"] != "ran":
        return row["state"]
    observed = {item["feature"]: item for item in row.get("observed") or []}
    if feature not in observed:
        return "not observed"
    item = observed[feature]
    text = _OBSERVED.get(item["status"], item["status"])
    files = links.get((row["name"], _op(row), feature), [])
    if files:
        return text + " " + " ".join(f"[{i + 1}](findings/{name})" for i, name in enumerate(files))
    if item["status"] in ("deviates", "refuses", "crashes or hangs", "error"):
        return f"[{text}](#{observed_anchor(row, feature)})"
    return text


def observed_anchor(row: dict[str, Any], feature: str) -> str:
    """The id of one observation's entry in the list under the feature matrices (the
    operation is named for the gradients and the transposed convolution, whose adapters
    have a row on several operations)."""
    op = _op(row)
    label = row["name"] if op in ("conv2d", "conv") else f"{row['name']} {op}"
    return "observed-" + "-".join(f"{label} {feature}".lower().replace("_", "-").split())


@marker("results-features")
def results_features(op: str = "conv") -> str:
    """One operation's feature matrix (features by backends), then the counterexamples behind its cells."""
    from .findings import cell_links
    data = load()
    links = cell_links()
    rows = [row for row in data["backends"] if _op(row) == op]
    features = data.get("features", {}).get(op, [])
    if not rows or not features:
        return "No observations of this operation in the data."
    out = ["| Feature | " + " | ".join(f"`{row['name']}`" for row in rows) + " |",
           "|:---|" + "|".join(":---:" for _ in rows) + "|"]
    out += [f"| {md_escape(feature)} | " + " | ".join(_observed_cell(row, feature, links) for row in rows) + " |"
            for feature in features]
    details = []
    for row in rows:
        for item in row.get("observed") or []:
            if item["status"] in ("deviates", "refuses", "crashes or hangs", "error") \
                    and not links.get((row["name"], op, item["feature"])):
                message = md_escape((item.get("message") or "").splitlines()[0] if item.get("message") else "")
                details.append(f"- <span id=\"{observed_anchor(row, item['feature'])}\"></span>"
                               f"`{row['name']}`, {md_escape(item['feature'])}: {item['status']} in "
                               f"`{item['property']}` on `{item['problem']}`: {message}")
    if details:  # collapsed; a link to one of its entries opens it
        cells = f"{len(details)} cell{'s' if len(details) > 1 else ''}"
        out += ["", f'??? example "{cells} without a finding page yet, with the counterexample the probe found"',
                ""] + ["    " + line for line in details]
    return "\n".join(out)


@marker("results-matrix")
def results_matrix() -> str:
    """The whole matrix: summary, legend and the per-area tables."""
    data = load()
    return "\n".join([
        provenance(data), "",
        summary_table(data), "",
        "*Worst error* is the largest measured error of a compared floating output divided by its "
        "bound (a property holds while it is at most 1), over the properties of the row that passed; "
        "the size of a deviation is in its failure's message. "
        "*Run time* is the wall time of the backend's whole run.", "",
    ])


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line if line.strip() else "" for line in text.splitlines())


def _entry(item: dict[str, Any], known: bool) -> list[str]:
    clauses = ", ".join(item["clauses"])
    if known:
        lines = [f"- *known* `{item['property']}` ({clauses}) on `{item['problem']}`: "
                 f"{md_escape(item['reason'])}"]
        if item.get("filter"):
            parts = [f"{key} {', '.join(values)}" for key, values in item["filter"].items() if values]
            lines.append(f"  (the search leaves out {md_escape('; '.join(parts))})")
        return lines
    message = md_escape(item["message"].splitlines()[0] if item["message"] else "")
    lines = [f"- **{item['status']}** `{item['property']}` ({clauses}), {item['kind']}, on "
             f"`{item['problem']}`: {message}"]
    if item.get("reproducer"):
        lines += ["", _indent(f'??? example "Reproducer of `{item["property"]}`"\n\n'
                              + _indent("```python\n" + item["reproducer"].rstrip() + "\n```"), "    "), ""]
    return lines


@marker("results-failures")
def results_failures(page: str = "deviations.md") -> str:
    """Per backend whose deviations ``page`` lists (see :data:`DEVIATION_PAGES`), every
    failed and known cell as the harness recorded it."""
    if page not in DEVIATION_PAGES:
        raise MarkerError(f"no list of deviations on {page!r}; the pages are {', '.join(DEVIATION_PAGES)}")
    data = load()
    ops = DEVIATION_PAGES[page]
    out = []
    for row in (row for row in _ran(data) if _op(row) in ops):
        out += [f"### {_label(row)} {row['version'] or ''} {{#{anchor(row)}}}", "",
                f"{md_escape(row['library'])}.", ""]
        if not row["failures"] and not row["known"]:
            out += ["Every claimed property held.", ""]
            continue
        for item in row["failures"]:
            out += _entry(item, known=False)
        for item in row["known"]:
            out += _entry(item, known=True)
        out.append("")
    missing = [row for row in data["backends"] if row["state"] != "ran" and _op(row) in ops]
    if missing:
        out += ["Not in this data: " + "; ".join(
            f"`{row['name']}` ({row['state']}" + (f": {md_escape(row['note'])}" if row["state"] == "not run" else "")
            + ")" for row in missing) + "."]
    return "\n".join(out)


@marker("backend-status")
def backend_status() -> str:
    """Home page: one line per backend with its verdict."""
    data = load()
    out = ["| Backend | Version | Verdict | Worst error (× bound) | Run time |", "|:---|:---|:---|---:|---:|"]
    for row in data["backends"]:
        if row["state"] != "ran":
            out.append(f"| {_label(row)} | – | not run ({row['state']}) | – | – |")
            continue
        c = row["counts"]
        failed, known = c.get("fail", 0) + c.get("error", 0), c.get("known", 0)
        if failed:
            verdict = f"{failed} failing, {known} known" if known else f"{failed} failing"
        elif known:
            verdict = f"claims hold apart from {known} known deviation{'s' if known > 1 else ''}"
        else:
            verdict = "every claimed property holds"
        link = deviations_link(row)
        out.append(f"| {_label(row)} | {md_escape(row['version'] or '–')} | [{verdict}]({link}) | "
                   f"{_ratio(row['worst_ratio'])} | {_seconds(row['seconds'])} |")
    return "\n".join(out) + "\n\n" + provenance(data)
