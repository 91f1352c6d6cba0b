"""MetricFlow's `mf` commands, many in one process (used by test_semantic_layer.py).

    python metricflow_session.py

Reads one command per line on stdin, as a JSON list of mf's arguments (e.g. ["query",
"--metrics", "revenue", "--csv", "out.csv"]), runs it as `mf` would, and answers with one JSON
line {"exit_code": ..., "output": ...} on stdout. Starting mf costs 10-40 s (importing dbt and
MetricFlow, loading the project); a command in a running session costs about 1 s.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

from dbt_metricflow.cli.main import cli


def run(arguments: list[str]) -> dict:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        try:
            cli.main(arguments, prog_name="mf", standalone_mode=False)
            exit_code = 0
        except SystemExit as stop:
            exit_code = stop.code if isinstance(stop.code, int) else 1
        except Exception as error:  # reported to the test, which fails on it
            print(f"{type(error).__name__}: {error}")
            exit_code = 1
    return {"exit_code": exit_code, "output": output.getvalue()}


def main() -> None:
    # The answers get stdout's file to themselves: anything else written there (loggers that
    # kept the original stream) goes to stderr instead.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), file=answers, flush=True)


if __name__ == "__main__":
    main()
