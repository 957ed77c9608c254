"""The ``convspec`` command line.

``convspec check TARGET`` runs the property suite against a backend and exits
with 0 when every claimed property held, 1 when at least one failed (or could
not be evaluated, or a known deviation went stale), and 2 on a usage error or
a backend that could not be loaded; 130 when stopped by Ctrl-C (after writing
the partial reports).  ``convspec properties``, ``profiles``, ``claims`` and
``targets`` list what there is to choose from; ``convspec merge`` joins the
reports of a sharded run.

`build_parser` returns the argument parser, so the documentation can
generate its option tables from it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .backend import BackendLoadError
from .interrupts import EXIT_INTERRUPTED

#: The operations `convspec check --op` accepts (those the harness has properties for).
OPERATION_CHOICES = ("conv2d", "conv", "conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose")
from .profiles import PROFILES
from .sharding import argument as shard_argument

EXIT_OK, EXIT_USAGE = 0, 2  # 1 (a property failed) comes from Report.exit_code
DEFAULT_CACHE = ".convspec"

REPRODUCIBILITY = (
    "The same --seed and --profile repeat a run on any machine with the same convspec, hypothesis and "
    "numpy versions (every report records them). Another hypothesis version may draw other examples "
    "from the same seed; pin it (convspec is tested with the range its package metadata requires) to "
    "compare runs across machines.")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


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
        description="Run the conformance property suite against a backend and report every property.",
        epilog=REPRODUCIBILITY)
    check.add_argument("target", nargs="?", metavar="TARGET",
                       help="the backend: 'package.module:attr', 'path/file.py:attr', or a bundled name "
                            "(reference, spec, or an adapter such as scipy, numpy)")
    check.add_argument("--op", choices=list(OPERATION_CHOICES), default=None,
                       help="the operation to check: conv2d, the core conv2d(M, K, *, stride); conv, the "
                            "layer conv(X, W, B, *, stride, padding, dilation, groups); its gradients "
                            "conv_input_grad, conv_weight_grad, conv_bias_grad; or conv_transpose "
                            "(convspec properties --op OP lists what is checked) (default: the backend's "
                            "own operation, Backend(op=...), which is conv2d for a plain function)")
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
    check.add_argument("--maxfail", type=_positive, metavar="N",
                       help="stop after N properties failed; the summary and the reports list the properties "
                            "not run (the reports are marked partial)")
    check.add_argument("-x", "--exitfirst", action="store_const", const=1, dest="maxfail",
                       help="stop at the first failed property (--maxfail 1)")
    check.add_argument("--reproducers-dir", metavar="DIR",
                       help="write each failure's reproducer to its own file in DIR, named after the property "
                            "and the problem, e.g. shape.eq1--m1x2_k1x1_s1x2_int8_C_C.py")
    check.add_argument("--observe", action="store_true",
                       help="after the verdicts, probe every feature of the operation, claimed or not, and "
                            "record what the backend does (holds, deviates, refuses, crashes or hangs, not "
                            "available) in the report's 'observed' section; never changes the exit status")
    check.add_argument("--shard", type=shard_argument, metavar="K/N",
                       help="run only part K of N of the selected properties (a deterministic split balanced "
                            "by cost); join the shards' --report-json files with convspec merge")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="announce each property as it starts, show what the backend wrote (warnings, "
                            "standard output and error, captured per call), print the full reproducer of "
                            "every failure and list the properties not claimed")

    listing = sub.add_parser("properties", help="list the properties and the clauses they check",
                             description="List every property of the suite with the clauses it checks.")
    listing.add_argument("--op", choices=list(OPERATION_CHOICES), default=None,
                         help="list only the properties of this operation (default: every operation)")
    sub.add_parser("profiles", help="list the profiles and their sizes",
                   description="List the run profiles: example counts and problem sizes.")
    sub.add_parser("claims", help="list the claims a backend can make",
                   description="List every field of Claims with its type, default and meaning.")
    sub.add_parser("targets", help="list the bundled targets and whether their libraries are installed",
                   description="List the bundled backends (reference, spec and the library adapters).")
    merge = sub.add_parser(
        "merge", help="join the JSON reports of the shards of one run",
        description="Join the --report-json files of the shards (--shard K/N) of one run into one report; "
                    "missing shards are named and the result is then marked partial.")
    merge.add_argument("reports", nargs="+", metavar="REPORT", help="JSON reports of the shards")
    merge.add_argument("--report-json", metavar="PATH", help="write the merged report as JSON")
    merge.add_argument("--junit-xml", metavar="PATH", help="write the merged report as JUnit XML")

    from .matrix import add_options as matrix_options
    matrix_options(sub.add_parser(
        "matrix", help="run the suite over every installed bundled adapter and write the results matrix",
        description="Run the conformance suite over the bundled adapters (a library that is not installed gets "
                    "a row saying so) and write the results matrix that the documentation renders."))
    return parser


def _list_properties(out, op: str | None = None) -> None:
    from .properties import PROPERTIES
    for prop in PROPERTIES.values():
        if op is None or prop.op == op:
            print(f"{prop.id:<26} {','.join(prop.clauses):<18} {prop.title}", file=out)


def _merge(args, out) -> int:
    from .merge import MergeError, merge_files
    from .report import summary_text, write_json, write_junit
    try:
        report = merge_files(args.reports)
    except MergeError as exc:
        print(f"convspec: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary_text(report), file=out)
    _write(report, args, out)
    missing = (report.run.get("shard") or {}).get("missing")
    return report.exit_code if not missing else max(report.exit_code, 1)


def _write(report, args, out) -> None:
    from .report import write_json, write_junit
    if args.report_json:
        write_json(report, args.report_json)
        print(f"JSON report: {args.report_json}", file=out)
    if args.junit_xml:
        write_junit(report, args.junit_xml)
        print(f"JUnit XML: {args.junit_xml}", file=out)


def _listing(command: str, out) -> None:
    from . import catalog
    if command == "profiles":
        print(catalog.profiles_table(), file=out)
    elif command == "claims":
        print(catalog.claims_table(), file=out)
    else:
        print(catalog.targets_table(), file=out)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``convspec`` script; returns the exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader went away (``convspec claims | head``)
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    if args.command == "matrix":
        from .matrix import main_args
        return main_args(args, out)
    if args.command == "merge":
        return _merge(args, out)
    if args.command in ("profiles", "claims", "targets"):
        _listing(args.command, out)
        return EXIT_OK
    if args.command == "properties" or getattr(args, "list_properties", False):
        _list_properties(out, args.op)
        return EXIT_OK
    if not args.target:
        parser.error("check needs a TARGET (or --list-properties)")
    try:
        return _check(args, out)
    except KeyboardInterrupt:  # before the run started, or while writing its reports
        _ignore_further_interrupts()
        print("\nconvspec: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _ignore_further_interrupts() -> None:
    """Once stopping, a second Ctrl-C must not cut the partial reports short (or print a traceback)."""
    import signal
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass


def _check(args, out) -> int:
    from . import run
    from .console import Progress, summary_text, write_reproducers
    from .properties import select as select_properties

    from .backend import load_backend
    try:  # loaded once, here: its operation is the default of --op, and the run uses it as loaded
        backend = load_backend(args.target)
    except BackendLoadError as exc:
        print(f"convspec: error: cannot load backend {args.target!r}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    op = args.op or backend.op  # a Backend's own operation; conv2d for a plain function
    dtypes = [d for group in args.dtypes for d in group] if args.dtypes else None
    select = [p.strip() for pat in args.select for p in pat.split(",") if p.strip()] if args.select else None
    selected = select_properties(select, op)
    total = len(selected)
    if args.shard is not None and selected:
        from .profiles import get_profile
        from .sharding import assign
        total = len(assign(selected, args.shard.count, get_profile(args.profile))[args.shard.index - 1])
    progress = Progress(out, total=total, verbose=args.verbose)

    op_text = f" --op {op}" if op != "conv2d" else ""
    print(f"convspec check {args.target}{op_text} --profile {args.profile} --seed {args.seed}"
          + (f" --shard {args.shard}" if args.shard else ""), file=out, flush=True)
    try:
        report = run(backend, op=op, profile=args.profile, seed=args.seed, dtypes=dtypes, select=select,
                     known=args.known, timeout=args.timeout, isolation=args.isolation,
                     cache_dir=None if args.no_cache else args.cache_dir, progress=progress.finish,
                     on_start=progress.start, maxfail=args.maxfail,
                     shard=str(args.shard) if args.shard else None, observe=args.observe)
    except BackendLoadError as exc:
        progress.close()
        print(f"convspec: error: cannot load backend {args.target!r}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        progress.close()
        print(f"convspec: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        progress.close()
    if report.run.get("stopped") == "interrupted":
        _ignore_further_interrupts()
    files = write_reproducers(report, args.reproducers_dir) if args.reproducers_dir else {}
    print(summary_text(report, verbose=args.verbose, reproducers=files), file=out, flush=True)
    if report.observed is not None:
        from .observe import observed_text
        print("\n" + observed_text(report.observed), file=out, flush=True)
    if files:
        print(f"reproducers: {len(files)} files in {args.reproducers_dir}", file=out)
    _write(report, args, out)
    if report.run.get("stopped") == "interrupted":
        return EXIT_INTERRUPTED
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
