"""Benchmark the emulator's scenario reset, as the test suite uses it once per test.

    .venv/bin/python -m bench.resets [--scenario demo] [--resets 40]

Starts one emulator, resets it to the scenario again and again, and prints the
time per reset and the process's resident memory (VmRSS, Linux) every tenth of
the run, against its size after the first build: memory a reset keeps shows up
as a line that climbs.
"""

from __future__ import annotations

import argparse
import sys
import time


def rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="demo")
    parser.add_argument("--resets", type=int, default=40)
    args = parser.parse_args(argv)

    from emulator.testing import EmulatorProcess

    with EmulatorProcess(args.scenario) as emulator:
        pid = emulator.process.pid
        start = rss_mb(pid)
        print(f"scenario {args.scenario}: {start} MB after the first build")
        step = max(1, args.resets // 4)
        started = time.perf_counter()
        for n in range(1, args.resets + 1):
            emulator.control.reset(args.scenario)
            if n % step == 0 or n == args.resets:
                per = (time.perf_counter() - started) / n
                now = rss_mb(pid)
                print(f"{n:4d} resets: {per:6.3f} s per reset, {now} MB ({now - start:+d} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
