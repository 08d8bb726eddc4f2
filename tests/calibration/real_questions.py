#!/usr/bin/env python3
"""Score `interview-bot ask` on real interview questions (tests/fixtures/real_questions/).

Usage: real_questions.py [--bin PATH] [--split fit|fresh|test|both] [--show]
                         [--floors right=0.70,wrong=0.03,refused_covered=0.15]

Each file line is `question<TAB>labels<TAB>area<TAB>source`; labels are the bank ids that answer the
question (separated by '|', any of them counts) or '-' when no entry does. '#' lines are comments.
fit.tsv and fit_fresh.tsv ("fresh": the fit half's second draw, from sources the bank was not written
from) are the half that may be tuned on; test.tsv is never fitted on, only measured.

All questions of the chosen split go once through `BIN ask --json --explain --limit 5` (run from the
repository root, so it reads this checkout's data/bank). Over all questions it prints the shares of:
  answered-right     confident and the top hit's id is in the labels
  answered-wrong     confident, and the labels are '-' or the top hit's id is not in them
  refused-covered    not confident although the labels name an entry
  refused-correctly  not confident and the labels are '-'
then recall@1 and recall@3 over the covered questions (labels not '-'), whatever the decision;
the same per area; and a reliability table: confidence bands of 0.05 from the threshold (0.75) up,
with how many confident answers fall in each and the share of them that were right.
--show prints each answered-wrong and refused-covered question with its top hits.
--floors makes the exit status 1 when answered-right is below `right`, answered-wrong above `wrong`
or refused-covered above `refused_covered` (shares of all questions), for CI.

Importable: read_split(), ask(), judge(), summary() are what a calibration script needs.
"""
import argparse, json, os, pathlib, subprocess, sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "real_questions"
THRESHOLD = 0.75
AREAS = ["networking", "http", "api", "docker", "python", "other"]


class Case:
    __slots__ = ("question", "labels", "area", "source", "split")

    def __init__(self, question, labels, area, source, split):
        self.question, self.labels, self.area, self.source, self.split = question, labels, area, source, split

    @property
    def covered(self):
        return bool(self.labels)


def read_file(path, split=None):
    """Cases of one fixture file; labels is a set of ids, empty for '-'."""
    cases = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:
            sys.exit(f"{path}:{n}: expected 4 tab-separated columns, got {len(parts)}")
        q, labels, area, source = parts
        ids = set() if labels.strip() == "-" else {x.strip() for x in labels.split("|") if x.strip()}
        cases.append(Case(q, ids, area, source, split or pathlib.Path(path).stem))
    return cases


# The parts of the corpus: the fit half's first draw, its second draw (sources the bank was not
# written from), and the test half.
FILES = {"fit": "fit.tsv", "fresh": "fit_fresh.tsv", "test": "test.tsv"}


def read_split(split="both", fixtures=FIXTURES):
    """Cases of 'fit', 'fresh', 'test' or 'both' (all three, in that order)."""
    names = list(FILES) if split == "both" else [split]
    return [c for s in names for c in read_file(pathlib.Path(fixtures) / FILES[s], s)]


def ask(bin_, queries, limit=5, env=None, cwd=ROOT):
    """One `ask --json --explain` run over all queries; one parsed JSON object per query."""
    proc = subprocess.run([bin_, "ask", "--json", "--explain", "--limit", str(limit)], cwd=cwd,
                          env=env or dict(os.environ), input="\n".join(queries) + "\n",
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        sys.exit(f"ask exited {proc.returncode}: {proc.stderr[-1000:]}")
    out = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    if len(out) != len(queries):
        sys.exit(f"{len(queries)} queries in, {len(out)} JSON lines out")
    return out


def probability(result):
    c = result.get("confidence")
    return c.get("value") if isinstance(c, dict) else c


def judge(case, result):
    """(outcome, rank of the first labelled hit or None, probability) for one case."""
    hits = result.get("hits") or []
    confident = bool(result.get("confident")) and bool(hits)
    rank = next((i + 1 for i, h in enumerate(hits) if h.get("id") in case.labels), None)
    if confident:
        outcome = "right" if rank == 1 else "wrong"
    else:
        outcome = "refused_covered" if case.covered else "refused_correctly"
    return outcome, rank, probability(result)


def summary(cases, results):
    """Figures over cases: shares of outcomes, recall over covered, count."""
    judged = [judge(c, r) for c, r in zip(cases, results)]
    n = len(cases) or 1
    share = {k: sum(1 for o, _, _ in judged if o == k) / n
             for k in ("right", "wrong", "refused_covered", "refused_correctly")}
    cov = [(c, j) for c, j in zip(cases, judged) if c.covered]
    nc = len(cov) or 1
    share["recall@1"] = sum(1 for _, (_, r, _) in cov if r == 1) / nc
    share["recall@3"] = sum(1 for _, (_, r, _) in cov if r is not None and r <= 3) / nc
    share["n"] = len(cases)
    share["covered"] = len(cov)
    return share


def line(name, s):
    return (f"{name:11} n={s['n']:3} covered={s['covered']:3}  right {s['right']:.3f}  wrong {s['wrong']:.3f}  "
            f"refused-covered {s['refused_covered']:.3f}  refused-correctly {s['refused_correctly']:.3f}  "
            f"recall@1 {s['recall@1']:.3f}  recall@3 {s['recall@3']:.3f}")


def reliability(cases, results, threshold=THRESHOLD, width=0.05):
    rows = []
    lo = threshold
    while lo < 1.0 - 1e-9:
        hi = min(lo + width, 1.0)
        inband = [judge(c, r) for c, r in zip(cases, results)
                  if (p := probability(r)) is not None and r.get("confident")
                  and lo <= p < hi + (1e-9 if hi >= 1.0 else 0)]
        right = sum(1 for o, _, _ in inband if o == "right")
        rows.append((lo, hi, len(inband), right / len(inband) if inband else None))
        lo = hi
    return rows


def parse_floors(text):
    floors = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        k, v = part.split("=")
        if k not in ("right", "wrong", "refused_covered"):
            sys.exit(f"unknown floor {k!r}: use right, wrong, refused_covered")
        floors[k] = float(v)
    return floors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=str(ROOT / "target" / "debug" / "interview-bot"))
    ap.add_argument("--split", choices=[*FILES, "both"], default="both")
    ap.add_argument("--show", action="store_true", help="print each wrong and refused-but-covered question")
    ap.add_argument("--floors", default="", help="e.g. right=0.70,wrong=0.03,refused_covered=0.15")
    a = ap.parse_args()
    floors = parse_floors(a.floors)
    cases = read_split(a.split)
    results = ask(a.bin, [c.question for c in cases])

    if a.show:
        for c, r in zip(cases, results):
            outcome, rank, p = judge(c, r)
            if outcome not in ("wrong", "refused_covered"):
                continue
            want = "|".join(sorted(c.labels)) or "-"
            print(f"{outcome:15} p={p if p is None else round(p, 2)} rank={rank} [{c.split}/{c.area}] {c.question}")
            print(f"{'':17}want {want}")
            for h in (r.get("hits") or [])[:3]:
                print(f"{'':17}{h.get('id'):15} {h.get('question')}")
        print()

    splits = list(FILES) if a.split == "both" else [a.split]
    for s in splits:
        sc = [(c, r) for c, r in zip(cases, results) if c.split == s]
        print(f"== {s}")
        print(line("all", summary([c for c, _ in sc], [r for _, r in sc])))
        for area in AREAS:
            ac = [(c, r) for c, r in sc if c.area == area]
            if ac:
                print(line(area, summary([c for c, _ in ac], [r for _, r in ac])))
        print(f"reliability (confident answers by confidence band):")
        for lo, hi, n, right in reliability([c for c, _ in sc], [r for _, r in sc]):
            print(f"  {lo:.2f}-{hi:.2f}  n={n:3}  right {'-' if right is None else f'{right:.2f}'}")
    total = summary(cases, results)
    if len(splits) > 1:
        print("== both")
        print(line("all", total))

    failed = []
    if "right" in floors and total["right"] < floors["right"]:
        failed.append(f"answered-right {total['right']:.3f} < {floors['right']}")
    if "wrong" in floors and total["wrong"] > floors["wrong"]:
        failed.append(f"answered-wrong {total['wrong']:.3f} > {floors['wrong']}")
    if "refused_covered" in floors and total["refused_covered"] > floors["refused_covered"]:
        failed.append(f"refused-covered {total['refused_covered']:.3f} > {floors['refused_covered']}")
    if failed:
        print("FAIL: " + "; ".join(failed))
        sys.exit(1)
    if floors:
        print("floors: ok")


if __name__ == "__main__":
    main()
