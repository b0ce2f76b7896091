"""What the EU-Residency plugin adds to synthesis: the platform (bench.synth_overhead) and generated stacks
(bench.scale). Kept for ``python -m bench.pack_overhead [--runs N] [--sizes 100,1000]``; ``make bench``
runs every benchmark and writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys

from bench import scale, synth_overhead


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000")
    args = parser.parse_args()
    status = synth_overhead.main(["--runs", str(args.runs)])
    return status or scale.main(["--runs", str(args.runs), "--big-runs", str(args.runs), "--sizes", args.sizes])


if __name__ == "__main__":
    sys.exit(main())
