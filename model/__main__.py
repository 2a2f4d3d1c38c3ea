"""`python -m model [--region ID]`: run the status-quo baseline to 2030 and print the yearly picture."""

import argparse
import time

from model import EnrollmentModel


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one cakupan model and print coverage by year.")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--region", default="sumsel", help="a folder of model/data/regions/")
    parser.add_argument("--data-set", default=None, help="a key of the region's datasets.toml (default: its own)")
    args = parser.parse_args()
    start = time.perf_counter()
    model = EnrollmentModel(scale=args.scale, seed=args.seed, data_set=args.data_set, region=args.region).run()
    frame = model.results()
    rows = frame[frame["month"].str.endswith("-12") | (frame.index == 0)]
    print(rows[["month", "workers", "active", "coverage", "coverage_formal", "coverage_informal",
                "spend_idr"]].to_string(index=False, float_format=lambda x: f"{x:,.3f}"))
    print(f"{len(frame) - 1} months at scale {args.scale} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
