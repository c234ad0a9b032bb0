"""Command line: ``python -m emulator [--host H] [--port P] [--scenario NAME] ...``.

Prints exactly one line to stdout when ready:
``rolecall emulator listening on http://HOST:PORT (scenario NAME)``.
Any startup error is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

# No EC2 backend loads moto's catalogue of some 1,300 public AMIs: nothing rolecall or
# its scenarios do needs one (moto does not validate image ids by default), and every
# EC2 backend a scenario builds (for load balancers, Auto Scaling, RDS subnets) costs
# 0.1 s and 8 MB with them, which a test session's resets add up. Set before moto loads.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

LARGE_PARAMS = ("accounts", "regions", "clusters", "services", "instances", "roles", "catalogue")


class OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error (two lines); the emulator prints one."""

    def error(self, message: str):
        self.exit(2, f"rolecall emulator: error: {message}\n")


def fail(message: str) -> None:
    sys.stderr.write(f"rolecall emulator: error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(
        prog="python -m emulator",
        description="Local AWS emulator for rolecall (moto plus patches).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566, help="0 picks a free port")
    parser.add_argument("--scenario", default="demo", choices=("demo", "empty", "large"))
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every AWS call")
    parser.add_argument(
        "--deletion-seconds",
        type=float,
        default=None,
        help="SLR deletion task duration in seconds (default 3)",
    )
    parser.add_argument(
        "--deletion-polls",
        type=int,
        default=None,
        help="finish SLR deletion tasks after N status calls instead",
    )
    parser.add_argument(
        "--enforce-iam",
        action="store_true",
        help="judge calls made with assumed-role credentials against the role's policies",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    group = parser.add_argument_group("large scenario parameters")
    for name in LARGE_PARAMS:
        group.add_argument(f"--{name}", type=int, default=None)
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, not {args.port}")
    if args.latency_ms < 0:
        parser.error("--latency-ms must not be negative")
    if args.deletion_seconds is not None and args.deletion_seconds < 0:
        parser.error("--deletion-seconds must not be negative")
    if args.deletion_polls is not None and args.deletion_polls < 0:
        parser.error("--deletion-polls must not be negative")
    if args.deletion_seconds is not None and args.deletion_polls is not None:
        parser.error("give --deletion-seconds or --deletion-polls, not both")
    given = [n for n in LARGE_PARAMS if getattr(args, n) is not None]
    if given and args.scenario != "large":
        parser.error(f"--{given[0]} only applies to --scenario large")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A fixed MOTO_ACCOUNT_ID would send every call to one account, defeating AssumeRole.
    os.environ.pop("MOTO_ACCOUNT_ID", None)

    from . import deletion, scenarios, server
    from .control import reset_everything
    from .state import RUN

    params = {n: getattr(args, n) for n in LARGE_PARAMS if getattr(args, n) is not None}
    try:
        scenarios.validate(args.scenario, params)
    except scenarios.ScenarioError as error:
        fail(str(error))
    if args.deletion_polls is not None:
        deletion.DEFAULTS.mode, deletion.DEFAULTS.polls = "polls", args.deletion_polls
    if args.deletion_seconds is not None:
        deletion.DEFAULTS.seconds = args.deletion_seconds
    RUN.default_latency_ms = args.latency_ms
    RUN.default_enforce_iam = args.enforce_iam

    try:
        sock = server.bind(args.host, args.port)
    except OSError as error:
        fail(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}")
    seconds = reset_everything(args.scenario, params)
    if args.scenario == "large":
        used = scenarios.validate("large", params)
        sys.stderr.write(
            f"rolecall emulator: scenario large built in {seconds:.1f} s "
            f"({' x '.join(f'{used[k]} {k}' for k in LARGE_PARAMS)})\n"
        )
        sys.stderr.flush()
    httpd = server.create_server(sock, args.host, verbose=args.verbose)
    sock.close()  # the server holds its own duplicate of the descriptor

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = httpd.socket.getsockname()[1]
    print(
        f"rolecall emulator listening on http://{args.host}:{port} (scenario {args.scenario})",
        flush=True,
    )
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # A stop signal that lands outside the serving loop (while the server closes,
        # say) is still a clean stop.
        sys.exit(0)
