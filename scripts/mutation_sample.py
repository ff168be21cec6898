"""A seeded random sample of the rule functions' mutants, stratified by module.

    python scripts/mutation_sample.py [--seed 2026] [--per-module 4] [--wave 1]

The population is every mutant whose name matches a pattern of scripts/mutation_rules.txt
(the rule functions, docs/mutation.md). Each module's mutants are shuffled with a generator
seeded by the seed and the module's name; wave K is positions (K-1)*N .. K*N-1 of each
shuffle (all of a module's mutants when it has fewer). Waves 1..K together are therefore a
simple random sample of K*N mutants of each module, and a new wave adds to the last without
changing it. Prints the names, one a line, for `mutmut run` (`make mutate-sample`).
Needs mutants/ (mutmut writes it, with the names in mutants/**/*.py.meta, before it runs
anything: `make mutate MUTANTS=reports.suppression.x_suppress_count*` is a cheap first run).
"""

import argparse
import fnmatch
import json
import random
import sys
from pathlib import Path

RULES = Path(__file__).with_name("mutation_rules.txt")


def rule_patterns(path=RULES):
    lines = (line.strip() for line in Path(path).read_text("utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def population(patterns, root=Path("mutants")):
    """{module path: sorted mutant names of its rule functions}."""
    found = {}
    for meta in sorted(root.glob("**/*.py.meta")):
        names = json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {})
        chosen = sorted(n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns))
        if chosen:
            found[meta.relative_to(root).as_posix()[: -len(".meta")]] = chosen
    return found


def sample(found, *, seed, per_module, waves):
    """{module: the names of waves 1..waves (or of the given waves)}."""
    picked = {}
    for module, names in found.items():
        order = list(names)
        random.Random(f"{seed}:{module}").shuffle(order)
        picked[module] = [
            name for wave in waves for name in order[(wave - 1) * per_module : wave * per_module]
        ]
    return picked


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-module", type=int, default=4)
    parser.add_argument("--wave", type=int, action="append", help="repeatable; default 1")
    parser.add_argument("--rules", default=str(RULES))
    parser.add_argument("--summary", action="store_true", help="counts per module instead")
    args = parser.parse_args(argv)
    found = population(rule_patterns(args.rules))
    if not found:
        sys.exit("no mutants/: run mutmut once first (see the docstring)")
    picked = sample(found, seed=args.seed, per_module=args.per_module, waves=args.wave or [1])
    for module, names in picked.items():
        if args.summary:
            print(f"{module:32} {len(found[module]):5} {len(names):4}")
        elif names:
            print("\n".join(names))


if __name__ == "__main__":
    main(sys.argv[1:])
