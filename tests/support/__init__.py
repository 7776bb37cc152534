"""Helpers shared by the end-to-end tests and the benchmarks: the glue between the sandbox simulators and the product, which neither may import from the other."""
