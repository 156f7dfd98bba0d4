"""Developer tools, not used by `make data`: benchmarks, the GPU benchmark, the synthetic judgment generator,
the tiny test model."""
