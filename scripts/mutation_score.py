"""Per-module mutation score from the results mutmut keeps in mutants/ (`make mutate`).

    python scripts/mutation_score.py [MODULE.py ...] [NAME-PATTERN ...]

Prints, for each rule module (all of `[tool.mutmut] only_mutate` when none is given), the
mutants killed (a test failed, or the run timed out: the timeouts are also shown apart),
survived, with no test reaching them, and not run yet, and the score killed / run. With name
patterns (as given to `mutmut run`, e.g. 'privacy.harvest.x_observations*'), only the mutants
they name are counted: the score of the functions measured, not of the whole module. Then the
survivors by name (`mutmut show NAME` shows one). Reads only mutants/**/*.py.meta (JSON
written by mutmut 3).
"""

import fnmatch
import json
import sys
import tomllib
from pathlib import Path

KILLED = {1, 3, 36, -24, 24, 152, 255, 37}
TIMEOUT = {-24, 24, 152}
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
    survivors = []
    for name, code in sorted(codes.items()):
        if patterns and not any(fnmatch.fnmatch(name, p) for p in patterns):
            continue
        if code in TIMEOUT:
            result["timeout"] += 1
        if code is None:
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


def main(argv):
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
        run = result["killed"] + result["survived"] + result["no tests"] + result["other"]
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
