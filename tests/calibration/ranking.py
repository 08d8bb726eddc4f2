#!/usr/bin/env python3
"""Replay the order of src/search/fusion.rs offline, and variants of it, on the sets one may tune on.

Usage: ranking.py [--bin target/debug/interview-bot] [--limit 20]

One `BIN ask --json --explain --limit N` run per set gives each hit's signals (word score relative to
the query's best, cosines to phrasing, answer and entry, and the share of the query's words the entry
has: coverage, phrased, question_covered). The script re-sorts each query's hits by a scoring function
and prints recall@1 / recall@3 per set:
  fit        the real questions' fit half (tests/fixtures/real_questions/fit.tsv), covered questions
  fresh      its second draw (fit_fresh.tsv), from sources the bank was not written from
  definitions  "What is X?" for core terms of each topic (tests/fixtures/definitions.tsv), defined ones
  dev        ../shared/eval/dev_queries.tsv
  held-out   tests/fixtures/heldout_queries.tsv
  situation  tests/fixtures/situation_queries.tsv
  new-entry  tests/fixtures/new_entry_queries.tsv
The test half (test.tsv) is never read. The first row, "fusion.rs", is the binary's own formula: it
must reproduce the binary's order (the "binary" row); the others are the variants tried in sessions 12 and 13
(BENCHMARKS.md, "Real interview questions"). A variant is only worth building if it gains on the fit
half without losing on dev, and holds on the other sets. Only the first N hits are re-sorted, which is
exact for the first few ranks when N is well above 3.
"""
import argparse, os, pathlib, re, sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(EVAL))
sys.path.insert(0, str(HERE))
from search_quality import rank_of  # noqa: E402
from abstain_quality import read_in_bank  # noqa: E402
import real_questions  # noqa: E402

# fusion.rs's constants.
WORDS_BASE, WORDS_PER_QUERY_WORD, PHRASING_DISCOUNT, DEFINES_BONUS = 0.15, 0.4, 0.1, 0.06


def count_words(text):
    """fusion::count_words: runs of alphanumerics."""
    return len([w for w in re.split(r"[^0-9A-Za-z]+", text) if w])


def meaning(s, discount=PHRASING_DISCOUNT):
    return max(s["entry"], s["phrasing"] - discount)


def phrased_words(s):
    """fusion.rs's word signal: the word score, as far as the query's words are in the entry's
    question and aliases (words found only in its answer say less about what it is about)."""
    return s["words"] * s["phrased"]


def fusion(words=phrased_words, scale=1.0, base=WORDS_BASE, per=WORDS_PER_QUERY_WORD,
           mean=meaning, extra=lambda s: 0.0, defines=DEFINES_BONUS):
    """A scoring function of fusion.rs's shape: meaning + (base + per / words) * word signal
    + a bonus when the entry defines the asked term + extra."""
    def score(query_words, s):
        return (mean(s) + scale * (base + per / max(1, query_words)) * words(s)
                + defines * s.get("defines", False) + extra(s))
    return score


VARIANTS = {
    "fusion.rs": fusion(),
    "words alone (session 12)": fusion(words=lambda s: s["words"]),
    "words x coverage": fusion(words=lambda s: s["words"] * s["coverage"]),
    "words x sqrt(coverage)": fusion(words=lambda s: s["words"] * s["coverage"] ** 0.5),
    "words weight x0.8": fusion(scale=0.8),
    "words weight x1.25": fusion(scale=1.25),
    **{f"defines bonus {b}": fusion(defines=b) for b in (0.0, 0.03, 0.1)},
    "+0.03 question covered": fusion(extra=lambda s: 0.03 * s["question_covered"]),
    "+0.03 phrased": fusion(extra=lambda s: 0.03 * s["phrased"]),
    "+0.1 answer cosine": fusion(extra=lambda s: 0.1 * s["answer"]),
    "phrasing discount 0.05": fusion(mean=lambda s: meaning(s, 0.05)),
    "phrasing discount 0.15": fusion(mean=lambda s: meaning(s, 0.15)),
    "meaning + 0.1 x the lesser": fusion(mean=lambda s: meaning(s) + 0.1 * min(s["entry"], s["phrasing"] - 0.1)),
}


def sets(bin_, limit):
    """{name: [(query words, hits with a 'right' flag)]} over covered queries only."""
    env = dict(os.environ)
    out = {}
    for split in ("fit", "fresh"):
        cases = [c for c in real_questions.read_split(split) if c.covered]
        results = real_questions.ask(bin_, [c.question for c in cases], limit=limit, env=env)
        out[split] = [(r, lambda h, c=c: h["id"] in c.labels) for c, r in zip(cases, results)]
    definitions = [l.rstrip("\n").split("\t") for l in open(ROOT / "tests/fixtures/definitions.tsv", encoding="utf-8")
                   if l.strip() and not l.startswith("#")]
    definitions = [(q, set(ids.split("|"))) for q, ids, _ in definitions if ids != "-"]
    results = real_questions.ask(bin_, [q for q, _ in definitions], limit=limit, env=env)
    out["definitions"] = [(r, lambda h, ids=ids: h["id"] in ids) for (_, ids), r in zip(definitions, results)]
    for name, path in (("dev", EVAL / "dev_queries.tsv"),
                       ("held-out", ROOT / "tests/fixtures/heldout_queries.tsv"),
                       ("situation", ROOT / "tests/fixtures/situation_queries.tsv"),
                       ("new-entry", ROOT / "tests/fixtures/new_entry_queries.tsv")):
        cases = read_in_bank(path)
        results = real_questions.ask(bin_, [q for q, _ in cases], limit=limit, env=env)
        out[name] = [(r, lambda h, case=case: rank_of(case, [h]) == 1) for (_, case), r in zip(cases, results)]
    return {name: [(count_words(r.get("normalised") or r["query"]),
                    [dict(h, right=right(h)) for h in r["hits"]]) for r, right in rows]
            for name, rows in out.items()}


def recall(rows, order):
    at1 = at3 = 0
    for query_words, hits in rows:
        ranked = order(query_words, hits)
        at1 += bool(ranked) and ranked[0]["right"]
        at3 += any(h["right"] for h in ranked[:3])
    n = len(rows) or 1
    return at1 / n, at3 / n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/debug/interview-bot")
    ap.add_argument("--limit", type=int, default=20)
    a = ap.parse_args()
    data = sets(a.bin, a.limit)
    if any(h.get("signals") is None for rows in data.values() for _, hits in rows for h in hits):
        sys.exit("hits without signals: the embedding model must be on (INTERVIEW_BOT__MODEL__DIR)")
    names = list(data)
    print(f"{'':28}" + "".join(f"{n:>18}" for n in names) + f"{'right@1':>10}")
    print(f"{'':28}" + "".join(f"{'n=' + str(len(data[n])):>18}" for n in names))
    orders = {"binary": lambda w, hits: hits}
    for name, score in VARIANTS.items():
        orders[name] = lambda w, hits, score=score: sorted(hits, key=lambda h: -score(w, h["signals"]))
    for name, order in orders.items():
        figures = [recall(data[n], order) for n in names]
        total = sum(round(r1 * len(data[n])) for (r1, _), n in zip(figures, names))
        print(f"{name:28}" + "".join(f"{r1:9.3f} / {r3:.3f}" for r1, r3 in figures) + f"{total:10}")


if __name__ == "__main__":
    main()
