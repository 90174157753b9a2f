"""`kehoach bench`: speed figures on a synthetic national dataset, as ratios to baselines
measured in the same run. Not imported by the product; its SMTP sink (aiosmtpd) comes with
the `bench` extra."""

from kehoach_flow.bench.run import PROGRAMME_FILE, BenchFailed, run_bench

__all__ = ["PROGRAMME_FILE", "BenchFailed", "run_bench"]
