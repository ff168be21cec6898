"""Per-module mutation score from the results mutmut keeps in mutants/ (`make mutate`).

    python scripts/mutation_score.py [MODULE.py ...] [NAME-PATTERN ...]
    python scripts/mutation_score.py --sample [--seed 2026] [--per-module 4] [--wave 1 ...]

Prints, for each rule module (all of `[tool.mutmut] only_mutate` when none is given), the
mutants killed (a test failed), timed out (not counted as killed: on this shared machine a
time-out is more often a slow test than a mutant that loops; run it again by hand), survived,
with no test reaching them, and not run yet, and the score killed / run (the timeouts in run,
not in killed). `--rules` counts the rule functions of scripts/mutation_rules.txt. With name
patterns (as given to `mutmut run`, e.g. 'privacy.harvest.x_observations*'), only the mutants
they name are counted: the score of the functions measured, not of the whole module. Then the
survivors by name (`mutmut show NAME` shows one). Reads only mutants/**/*.py.meta (JSON
written by mutmut 3).

With --sample, only the mutants of the seeded sample of scripts/mutation_sample.py (the rule
functions of scripts/mutation_rules.txt) are counted, and the score is also estimated for the
whole population with a 95% confidence interval (Wilson; see sample_report). The hand verdicts
of scripts/mutation_verdicts.txt (a survivor killed by a row added since, or equivalent) give
the score after rows.
"""

import argparse
import fnmatch
import json
import math
import sys
import tomllib
from pathlib import Path

KILLED = {1, 3, 37}
TIMEOUT = {36, -24, 24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def modules_from_config():
    data = tomllib.loads(Path("pyproject.toml").read_text("utf-8"))
    return data["tool"]["mutmut"]["only_mutate"]


def counts(module, patterns=()):
    meta = Path("mutants") / (module + ".meta")
    if not meta.exists():
        return None
    codes = json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {})
    result = {"killed": 0, "survived": 0, "no tests": 0, "not run": 0, "other": 0, "timeout": 0}
    if patterns and not isinstance(patterns, (list, tuple)):
        patterns = sorted(patterns)
    survivors = []
    for name, code in sorted(codes.items()):
        if patterns and not any(fnmatch.fnmatchcase(name, p) for p in patterns):
            continue
        if code in TIMEOUT:
            result["timeout"] += 1
            survivors.append(f"{name} (timed out: run it again)")
        elif code is None:
            result["not run"] += 1
        elif code in KILLED:
            result["killed"] += 1
        elif code in SURVIVED:
            result["survived"] += 1
            survivors.append(name)
        elif code in NO_TESTS:
            result["no tests"] += 1
            survivors.append(name + " (no test reaches it)")
        else:
            result["other"] += 1
            survivors.append(f"{name} (exit code {code})")
    return result, survivors


def wilson(killed, run, z=1.96):
    """The 95% Wilson score interval of a proportion killed / run (run may be fractional)."""
    if run <= 0:
        return 0.0, 1.0
    p = killed / run
    centre = (p + z * z / (2 * run)) / (1 + z * z / run)
    half = z / (1 + z * z / run) * math.sqrt(p * (1 - p) / run + z * z / (4 * run * run))
    return max(0.0, centre - half), min(1.0, centre + half)


VERDICTS = Path(__file__).with_name("mutation_verdicts.txt")


def verdicts(path=VERDICTS):
    """{mutant name: (verdict, note)} from `NAME killed-by-row|equivalent|harmless NOTE` lines."""
    found = {}
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, verdict, *note = line.split(maxsplit=2)
                found[name] = (verdict, note[0] if note else "")
    return found


def sample_report(picked, found, hand):
    """The sample's table, then the population's score estimated from it.

    Each module is a stratum (its own simple random sample, possibly of another size than
    the others), so the population's score is the modules' scores weighted by their number of
    mutants. Its interval is Wilson's with the effective sample size p(1-p)/variance of that
    weighted mean (each module's variance from (k+1)/(n+2), so that a module with every mutant
    killed still counts as uncertain, with the finite population correction). Only the
    modules with results make the estimate; the table says how much of the population they
    hold. Time-outs count as run and not killed.
    """
    rows = []
    total_equivalent = 0
    print(
        f"{'module':28} {'mutants':>7} {'sample':>6} {'run':>4} {'killed':>6} {'t.out':>5} "
        f"{'surv.':>5} {'raw':>6} {'after rows':>10}"
    )
    for module, names in picked.items():
        codes = json.loads((Path("mutants") / (module + ".meta")).read_text("utf-8"))
        codes = codes.get("exit_code_by_key", {})
        run = [n for n in names if codes.get(n) is not None]
        killed = [n for n in run if codes[n] in KILLED]
        timeouts = [n for n in run if codes[n] in TIMEOUT]
        left = [n for n in run if n not in killed]
        after = len(killed) + sum(1 for n in left if hand.get(n, ("",))[0] == "killed-by-row")
        equivalent = sum(1 for n in left if hand.get(n, ("",))[0] in {"equivalent", "harmless"})
        rows.append((module, len(found[module]), len(names), len(run), len(killed), after))
        total_equivalent += equivalent
        raw = f"{100 * len(killed) / len(run):5.1f}%" if run else "   –"
        aft = f"{100 * after / len(run):5.1f}%" if run else "   –"
        print(
            f"{module:28} {len(found[module]):7} {len(names):6} {len(run):4} {len(killed):6} "
            f"{len(timeouts):5} {len(left) - len(timeouts):5} {raw:>6} {aft:>10}"
            + (f" ({equivalent} equivalent/harmless)" if equivalent else "")
        )
        for name in left:
            verdict, note = hand.get(name, ("no verdict yet", ""))
            status = "timed out" if name in timeouts else f"exit code {codes[name]}"
            print(f"      {name} ({status}): {verdict} {note}".rstrip())
    for label, column in (("raw (mutmut)", 4), ("after rows", 5)):
        measured = [r for r in rows if r[3]]
        if not measured:
            print("nothing run yet")
            return
        run = sum(r[3] for r in measured)
        killed = sum(r[column] for r in measured)
        low, high = wilson(killed, run)
        size = sum(r[1] for r in measured)
        total = sum(r[1] for r in rows)
        estimate = variance = smoothed = 0.0
        for _, mutants, _, n, raw_killed, after in measured:
            k = raw_killed if column == 4 else after
            weight = mutants / size
            estimate += weight * k / n
            p = (k + 1) / (n + 2)
            smoothed += weight * p
            variance += weight * weight * p * (1 - p) / n * (1 - n / mutants)
        n_eff = smoothed * (1 - smoothed) / variance if variance else run
        s_low, s_high = wilson(estimate * n_eff, n_eff)
        print(
            f"\n{label}: {killed} killed of {run} run ({100 * killed / run:.1f}%), "
            f"Wilson 95% {100 * low:.1f}–{100 * high:.1f}% (pooled)\n"
            f"  population of the {len(measured)} modules run ({size} of {total} mutants): "
            f"{100 * estimate:.1f}%, 95% {100 * s_low:.1f}–{100 * s_high:.1f}% "
            f"(stratified, effective n {n_eff:.0f})"
        )
    if total_equivalent:
        run = sum(r[3] for r in rows) - total_equivalent
        killed = sum(r[5] for r in rows)
        low, high = wilson(killed, run)
        print(
            f"  after rows, the {total_equivalent} equivalent/harmless left out: {killed} of {run} "
            f"({100 * killed / run:.1f}%), Wilson 95% {100 * low:.1f}–{100 * high:.1f}% (pooled)"
        )


def main(argv):
    if argv and argv[0] == "--sample":
        sys.path.insert(0, str(Path(__file__).parent))
        import mutation_sample

        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--per-module", type=int, default=4)
        parser.add_argument("--wave", type=int, action="append")
        args = parser.parse_args(argv[1:])
        found = mutation_sample.population(mutation_sample.rule_patterns())
        picked = mutation_sample.sample(
            found, seed=args.seed, per_module=args.per_module, waves=args.wave or [1]
        )
        sample_report(picked, found, verdicts())
        return
    if argv and argv[0] == "--rules":
        sys.path.insert(0, str(Path(__file__).parent))
        import mutation_sample

        argv = mutation_sample.rule_patterns() + argv[1:]
    patterns = [a for a in argv if not a.endswith(".py")]
    modules = [a for a in argv if a.endswith(".py")]
    if not modules and patterns:
        wanted = {p.split(".x_")[0].split(".xǁ")[0].rstrip(".*") for p in patterns}
        modules = [m for m in modules_from_config() if m[:-3].replace("/", ".") in wanted]
    modules = modules or modules_from_config()
    total_killed = total_run = 0
    all_survivors = []
    print(
        f"{'module':32} {'killed':>6} {'surv.':>6} {'no t.':>6} {'other':>6} {'run':>5} score"
        "  (timeouts among the killed)"
    )
    for module in modules:
        found = counts(module, patterns)
        if found is None:
            print(f"{module:32} (not mutated yet)")
            continue
        result, survivors = found
        run = (
            result["killed"]
            + result["survived"]
            + result["no tests"]
            + result["other"]
            + result["timeout"]
        )
        if run == 0:
            print(f"{module:32} (not run yet)")
            continue
        score = 100 * result["killed"] / run
        print(
            f"{module:32} {result['killed']:6} {result['survived']:6} {result['no tests']:6} "
            f"{result['other']:6} {run:5} {score:5.1f}%"
            + (f"  ({result['timeout']} timeouts)" if result["timeout"] else "")
            + (f"  ({result['not run']} not run)" if result["not run"] else "")
        )
        total_killed += result["killed"]
        total_run += run
        all_survivors += survivors
    if total_run:
        print(
            f"{'all':32} {total_killed:6} {'':6} {'':6} {'':6} {total_run:5} "
            f"{100 * total_killed / total_run:5.1f}%"
        )
    if all_survivors:
        print("\nSurvivors:")
        for name in all_survivors:
            print("   ", name)


if __name__ == "__main__":
    main(sys.argv[1:])
