"""The ``convspec`` command line.

``convspec check TARGET`` runs the property suite against a backend and exits
with 0 when every claimed property held, 1 when at least one failed (or could
not be evaluated, or a known deviation went stale), and 2 on a usage error or
a backend that could not be loaded.  ``convspec properties`` lists the
properties and the clauses they check.

`build_parser` returns the argument parser, so the documentation can
generate its option tables from it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .backend import BackendLoadError

#: The operations `convspec check --op` accepts (those the harness has properties for).
OPERATION_CHOICES = ("conv2d", "conv")
from .profiles import PROFILES

EXIT_OK, EXIT_USAGE = 0, 2  # 1 (a property failed) comes from Report.exit_code
DEFAULT_CACHE = ".convspec"


def _dtype_list(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def build_parser() -> argparse.ArgumentParser:
    """The ``convspec`` argument parser (subcommands ``check``, ``properties`` and ``matrix``)."""
    parser = argparse.ArgumentParser(
        prog="convspec", description="Check a strided 2-D convolution against the convspec specification.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser(
        "check", help="run the conformance suite against a backend",
        description="Run the conformance property suite against a backend and report every property.")
    check.add_argument("target", nargs="?", metavar="TARGET",
                       help="the backend: 'package.module:attr', 'path/file.py:attr', or a bundled name "
                            "(reference, spec, or an adapter such as scipy, numpy)")
    check.add_argument("--op", choices=list(OPERATION_CHOICES), default="conv2d",
                       help="the operation to check: conv2d, the core conv2d(M, K, *, stride), or conv, the "
                            "layer conv(X, W, B, *, stride, padding, dilation, groups) (default: %(default)s)")
    check.add_argument("--profile", choices=list(PROFILES), default="default",
                       help="how many examples to run (default: %(default)s)")
    check.add_argument("--seed", type=int, default=0, help="seed of every random choice; the same seed "
                                                           "repeats the run (default: %(default)s)")
    check.add_argument("--report-json", metavar="PATH", help="write the report as JSON (schema convspec-report/1)")
    check.add_argument("--junit-xml", metavar="PATH", help="write the report as JUnit XML")
    check.add_argument("--dtypes", nargs="+", type=_dtype_list, metavar="DTYPE",
                       help="check only these of the claimed dtypes (names, space or comma separated)")
    check.add_argument("-k", "--property", action="append", dest="select", metavar="PATTERN",
                       help="run only properties whose id contains PATTERN (or matches it as a glob, or "
                            "checks the clause PATTERN); repeat or separate with commas for several")
    check.add_argument("--known", metavar="FILE", help="known-deviation file (TOML) of the backend")
    check.add_argument("--timeout", type=float, metavar="SECONDS",
                       help="seconds one call may take before it counts as hung (default: the claims'). A property "
                            "stops at its first hang, so each waits for at most one timeout (two for the call "
                            "pairs of effects.al2); after 3 hangs in a row with no call returning in between, "
                            "later calls wait min(SECONDS, max(1, 10 x the slowest call that returned)) until a "
                            "call returns again. A backend that hangs on every call thus costs about "
                            "3 x SECONDS + 1 s per further property")
    check.add_argument("--isolation", choices=["subprocess", "inprocess"], default="subprocess",
                       help="where the backend runs: a worker process restarted after crashes and hangs, "
                            "or this process (faster, no protection) (default: %(default)s)")
    check.add_argument("--cache-dir", metavar="DIR", default=DEFAULT_CACHE,
                       help="example database: failing examples are replayed first on the next run "
                            "(default: %(default)s)")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the example database")
    check.add_argument("--list-properties", action="store_true",
                       help="list the properties (and the clauses they check) and exit")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="announce each property as it starts, show what the backend wrote (warnings, "
                            "standard output and error, captured per call) and list the properties not claimed")

    sub.add_parser("properties", help="list the properties and the clauses they check",
                   description="List every property of the suite with the clauses it checks.")

    from .matrix import add_options as matrix_options
    matrix_options(sub.add_parser(
        "matrix", help="run the suite over every installed bundled adapter and write the results matrix",
        description="Run the conformance suite over the bundled adapters (a library that is not installed gets "
                    "a row saying so) and write the results matrix that the documentation renders."))
    return parser


def _list_properties(out) -> None:
    from .properties import PROPERTIES
    for prop in PROPERTIES.values():
        print(f"{prop.id:<26} {','.join(prop.clauses):<18} {prop.title}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``convspec`` script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    if args.command == "matrix":
        from .matrix import main_args
        return main_args(args, out)
    if args.command == "properties" or getattr(args, "list_properties", False):
        _list_properties(out)
        return EXIT_OK
    if not args.target:
        parser.error("check needs a TARGET (or --list-properties)")

    from . import run
    from .report import output_note, progress_line, summary_text, write_json, write_junit

    dtypes = [d for group in args.dtypes for d in group] if args.dtypes else None
    select = [p.strip() for pat in args.select for p in pat.split(",") if p.strip()] if args.select else None

    def started(pid: str) -> None:
        if args.verbose:
            print(f"   ...  {pid}", file=out, flush=True)

    def finished(result) -> None:
        print(progress_line(result), file=out, flush=True)
        note = output_note(result) if args.verbose else ""
        if note:
            print(note, file=out, flush=True)

    op_text = f" --op {args.op}" if args.op != "conv2d" else ""
    print(f"convspec check {args.target}{op_text} --profile {args.profile} --seed {args.seed}", file=out, flush=True)
    try:
        report = run(args.target, op=args.op, profile=args.profile, seed=args.seed, dtypes=dtypes, select=select,
                     known=args.known, timeout=args.timeout, isolation=args.isolation,
                     cache_dir=None if args.no_cache else args.cache_dir, progress=finished, on_start=started)
    except BackendLoadError as exc:
        print(f"convspec: error: cannot load backend {args.target!r}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"convspec: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary_text(report, verbose=args.verbose), file=out, flush=True)
    if args.report_json:
        write_json(report, args.report_json)
        print(f"JSON report: {args.report_json}", file=out)
    if args.junit_xml:
        write_junit(report, args.junit_xml)
        print(f"JUnit XML: {args.junit_xml}", file=out)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
