"""The `diemcau simulate` subcommand: options in, table out, JSON on request, exit status by outcome."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from server.simulate.options import add_arguments, options_from
from server.simulate.report import table
from server.simulate.run import rehearse

# 0: a clean run; 1: could not run (argparse itself exits 2 on malformed options); 3: ran, but with errors.
EXIT_ERRORS = 3


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "simulate", help="rehearse a workshop against a running server and report throughput and latencies",
        description="Sets up its own rehearsal workshop through the API, holds socket consoles open, and runs "
                    "operators checking people in, the chair moving the agenda and delegates commenting.",
    )
    add_arguments(parser)
    parser.set_defaults(func=simulate)


def simulate(args: argparse.Namespace) -> None:
    options = options_from(args)
    result = asyncio.run(rehearse(options))
    print(table(result))
    if options.json_file:
        Path(options.json_file).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    sys.stdout.flush()
    if not result["clean"]:
        raise SystemExit(EXIT_ERRORS)
