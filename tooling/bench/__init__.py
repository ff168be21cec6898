"""National-scale benchmark: a synthetic data set (`tooling.bench.generate`) and a timing
harness (`tooling.bench.timing`), driven by `python manage.py bench`. See the README section
"Benchmark"."""
