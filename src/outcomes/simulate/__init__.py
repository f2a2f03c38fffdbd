"""Synthetic export of the trial for the demo, tests and benchmarks."""
