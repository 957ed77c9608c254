"""Generated parts of the recipes page."""

from __future__ import annotations

from importlib import metadata

from .registry import marker


def convspec_version() -> str:
    return metadata.version("convspec")


@marker("ci-workflow")
def ci_workflow(shards: int = 4, target: str = "mypackage.ops:conv2d") -> str:
    """A GitHub Actions workflow that checks a third-party conv2d with a pinned convspec."""
    version = convspec_version()
    matrix = ", ".join(str(k) for k in range(1, shards + 1))
    return f'''```yaml
# .github/workflows/conformance.yml
name: conv2d conformance
on: [push, pull_request]

jobs:
  check:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false            # every shard reports, even after a failure
      matrix:
        shard: [{matrix}]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install the project and a pinned convspec
        run: pip install . "convspec=={version}"
      - name: Check this shard of the properties
        run: >
          convspec check {target} --profile default --seed 0
          --shard ${{{{ matrix.shard }}}}/{shards}
          --report-json shard-${{{{ matrix.shard }}}}.json
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: shard-${{{{ matrix.shard }}}}
          path: shard-${{{{ matrix.shard }}}}.json

  report:
    needs: check
    if: always()                  # merge whatever the shards found
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "convspec=={version}"
      - uses: actions/download-artifact@v4
        with:
          pattern: shard-*
          merge-multiple: true
      - name: Merge the shards into one report
        run: convspec merge shard-*.json --report-json report.json --junit-xml report.xml
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: conformance-report
          path: |
            report.json
            report.xml
```
'''
