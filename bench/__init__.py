"""National-scale benchmark: a synthetic data set (`bench.generate`) and a timing harness
(`bench.timing`), driven by `python manage.py bench`. See the README section "Benchmark"."""
