#!/usr/bin/env python3
"""Fit and check the coefficients of src/search/confidence.rs.

Usage: confidence.py [--bin target/debug/interview-bot] [--words-only] [--show] [--no-test]

Runs `BIN ask --json --explain` over
  - the fit half of the real interview questions (tests/fixtures/real_questions/fit.tsv and its
    second draw fit_fresh.tsv, from sources the bank was not written from),
  - the dev sets (../shared/eval/dev_queries.tsv and dev_out_of_bank.txt),
  - the held-out fixtures (tests/fixtures/heldout_queries.tsv and heldout_out_of_bank.txt),
labels each query's best hit right (a labelled entry, or the expected one, is first) or not (a wrong
first hit, or a query no entry answers), and fits a logistic regression (Newton's method, an L2
penalty) on the evidence the binary reports: a calibrated probability that the best hit is right.
By meaning there are two groups with their own coefficients, as confidence.rs has them: bare topics
(no question word, no "?": the evidence reports `bare`) and questions.
The test half (tests/fixtures/real_questions/test.tsv) is only measured, never fitted on.

The feature set and the penalty are chosen by cross-validation across sources: each fold leaves out
one source (one repository of the fit half, the dev sets, or the held-out sets), fits on the rest
and predicts the one left out. No threshold is tuned: the threshold (search.min_confidence, default
0.75) is a cost, answering wrong taken to cost three times a refusal that offers the right entry as
a suggestion, so answer when p >= 3/4. The choice is the least cost of the decisions the
out-of-fold predictions make at that threshold (3 per wrong answer, 1 per right best hit refused,
over all fitted queries), ties going to the smaller log loss: forward selection from the base
features, a feature kept only when it lowers the cost, or leaves it and lowers the log loss by at
least MIN_GAIN.

It prints:
  - the cross-validation table and the choice, and whether it is the feature set confidence.rs uses;
  - the coefficients of confidence.rs's feature set fitted on all fitted sets, to paste;
  - out-of-fold figures by source at the threshold;
  - the figures of the fitted coefficients and of the binary as it is, on every set;
  - the reliability table on the test half: bands of 0.1 from the threshold up, with the number of
    answers and the share right in each (each share should be at least its band's lower edge).
With --words-only the model is turned off (INTERVIEW_BOT__MODEL__ENABLED=false) and the words-only
coefficients are fitted. With --no-test the test half is not even read (no figures, no reliability
table): for work on search, where the test half is measured once, at the end. The script uses only the standard library.
"""
import argparse, math, os, pathlib, sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(EVAL))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from search_quality import rank_of  # noqa: E402
from abstain_quality import read_in_bank  # noqa: E402
import real_questions  # noqa: E402

THRESHOLD = 0.75
# Base features of each way of matching, and the extra signals forward selection may add.
BASE = {"meaning": ["coverage", "phrasing", "entry", "gap", "unknown"],
        "words": ["coverage", "gap", "unknown"]}
EXTRAS = ["asks_otherwise", "length", "question_covered", "phrased", "defines", "undefined"]
# The features src/search/confidence.rs combines, in the order of its MEANING_* and WORDS arrays.
RUST = {"meaning": BASE["meaning"] + ["asks_otherwise"],
        "words": BASE["words"] + ["asks_otherwise", "length", "question_covered", "phrased"]}
L2_GRID = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
MIN_GAIN = 0.002


def feature(ev, name):
    """One feature from the evidence `ask --json --explain` prints, as confidence.rs computes it."""
    if name == "asks_otherwise":
        return 1.0 if ev.get("asks", "other") != "other" and ev.get("hit_asks") != ev.get("asks") else 0.0
    if name == "length":
        return math.log(1 + ev.get("words", 0))
    # A definition was asked and the hit defines that term / does not (see src/search/subject.rs).
    if name == "defines":
        return 1.0 if ev.get("defines") is True else 0.0
    if name == "undefined":
        return 1.0 if ev.get("defines") is False else 0.0
    return float(ev.get(name) or 0.0)


class Row:
    """One query: its evidence, whether its best hit is right, where it came from."""
    __slots__ = ("query", "evidence", "right", "covered", "source", "part", "confident", "value")

    def __init__(self, query, result, right, covered, source, part):
        conf = result.get("confidence") or {}
        self.query, self.evidence = query, conf.get("evidence")
        self.right, self.covered, self.source, self.part = int(right), covered, source, part
        self.confident = bool(result.get("confident")) and bool(result.get("hits"))
        self.value = conf.get("value")


def ask(bin_, queries, words_only):
    env = dict(os.environ)
    if words_only:
        env["INTERVIEW_BOT__MODEL__ENABLED"] = "false"
    return real_questions.ask(bin_, queries, env=env)


def eval_rows(bin_, in_bank, out_of_bank, words_only, part):
    cases = read_in_bank(in_bank)
    out = [Row(q, r, bool(r["hits"]) and rank_of(case, r["hits"][:1]) == 1, True, part, part)
           for (q, case), r in zip(cases, ask(bin_, [q for q, _ in cases], words_only))]
    oob = [l.strip() for l in open(out_of_bank, encoding="utf-8") if l.strip() and not l.startswith("#")]
    out += [Row(q, r, False, False, part, part) for q, r in zip(oob, ask(bin_, oob, words_only))]
    return out


def real_rows(bin_, split, words_only):
    cases = real_questions.read_split(split)
    out = []
    for c, r in zip(cases, ask(bin_, [c.question for c in cases], words_only)):
        _, rank, _ = real_questions.judge(c, r)
        repo = "/".join(c.source.removeprefix("github:").split("/")[:2])
        out.append(Row(c.question, r, rank == 1, c.covered, repo, split))
    return out


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z > -50 else 0.0


def fit(xs, ys, l2):
    """Logistic regression by Newton's method; the bias (first column) is not penalised."""
    k = len(xs[0])
    w = [0.0] * k
    for _ in range(100):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in zip(xs, ys):
            p = sigmoid(sum(a * b for a, b in zip(w, x)))
            s = p * (1 - p)
            for i in range(k):
                grad[i] += (p - y) * x[i]
                for j in range(i, k):
                    hess[i][j] += s * x[i] * x[j]
        for i in range(k):
            for j in range(i):
                hess[i][j] = hess[j][i]
        for i in range(1, k):
            grad[i] += l2 * w[i]
            hess[i][i] += l2
        step = solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return w


def solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[c][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def group(row):
    """Which coefficients a row takes: by meaning, a bare topic ("docker volumes") has its own
    (MEANING_BARE) and a question the other (MEANING_QUESTION); by words only, one set."""
    ev = row.evidence or {}
    return "bare" if ev.get("phrasing") is not None and ev.get("bare") else "question"


def fit_model(rows, names, l2):
    """Coefficients per group of rows: {group: weights}."""
    model = {}
    for g in sorted({group(r) for r in rows}):
        part = [r for r in rows if group(r) == g]
        model[g] = fit(design(part, names), [r.right for r in part], l2)
    return model


def predict_model(model, rows, names):
    """Probability per row from its group's coefficients (refused: a group never fitted)."""
    return [predict(model[group(r)], [r], names)[0] if group(r) in model else 0.0 for r in rows]


def design(rows, names):
    return [[1.0] + [feature(r.evidence or {}, n) for n in names] for r in rows]


def predict(w, rows, names):
    """Probability per row; 0 for a row without evidence (nothing matched: refused)."""
    return [sigmoid(sum(a * b for a, b in zip(w, x))) if r.evidence is not None else 0.0
            for r, x in zip(rows, design(rows, names))]


def log_loss(ps, rows):
    t = 0.0
    for p, r in zip(ps, rows):
        p = min(max(p, 1e-6), 1 - 1e-6)
        t -= math.log(p) if r.right else math.log(1 - p)
    return t / len(rows)


def out_of_fold(rows, names, l2):
    """Leave-one-source-out predictions for rows (all with evidence)."""
    ps = [0.0] * len(rows)
    for source in sorted({r.source for r in rows}):
        train = [r for r in rows if r.source != source]
        model = fit_model(train, names, l2)
        held = [i for i, r in enumerate(rows) if r.source == source]
        for i, p in zip(held, predict_model(model, [rows[i] for i in held], names)):
            ps[i] = p
    return ps


def real_figures(ps, rows):
    """answered-right, answered-wrong, refused-covered, refused-correctly as real_questions.py counts them."""
    n = len(rows) or 1
    yes = [p >= THRESHOLD for p in ps]
    return (sum(1 for a, r in zip(yes, rows) if a and r.right) / n,
            sum(1 for a, r in zip(yes, rows) if a and not r.right) / n,
            sum(1 for a, r in zip(yes, rows) if not a and r.covered) / n,
            sum(1 for a, r in zip(yes, rows) if not a and not r.covered) / n)


def dev_figures(ps, rows):
    """refused, answered@1, wrong-answers as abstain_quality.py counts them."""
    yes = [p >= THRESHOLD for p in ps]
    n_in = sum(1 for r in rows if r.covered) or 1
    n_out = sum(1 for r in rows if not r.covered) or 1
    return (sum(1 for a, r in zip(yes, rows) if not a and not r.covered) / n_out,
            sum(1 for a, r in zip(yes, rows) if a and r.covered and r.right) / n_in,
            sum(1 for a, r in zip(yes, rows) if a and not r.right) / (len(rows) or 1))


def describe(ps, rows):
    if rows and rows[0].part in ("fit", "fresh", "test"):
        return "right {:.3f}  wrong {:.3f}  refused-covered {:.3f}  refused-correctly {:.3f}".format(
            *real_figures(ps, rows))
    return "refused {:.3f}  answered@1 {:.3f}  wrong-answers {:.3f}".format(*dev_figures(ps, rows))


def reliability(ps, rows, width=0.1):
    """(low, high, answers, right) per band of `width` from the threshold up."""
    bands = []
    lo = THRESHOLD
    while lo < 1.0 - 1e-9:
        hi = min(lo + width, 1.0)
        inside = [r for p, r in zip(ps, rows) if lo <= p < hi or (hi >= 1.0 and p >= lo)]
        bands.append((lo, hi, len(inside), sum(r.right for r in inside)))
        lo = hi
    return bands


def cost(ps, rows):
    """Mean cost of the decisions at the threshold: 3 per wrong answer, 1 per right best hit refused."""
    return sum(3 if p >= THRESHOLD and not r.right else 1 if p < THRESHOLD and r.right else 0
               for p, r in zip(ps, rows)) / len(rows)


def criterion(rows, names, l2):
    """(decision cost, log loss) of the out-of-fold predictions."""
    ps = out_of_fold(rows, names, l2)
    return round(cost(ps, rows), 6), log_loss(ps, rows)


def better(a, b):
    """True when criterion a beats b: a lower cost, or the same cost and a clearly lower log loss."""
    return a[0] < b[0] or (a[0] == b[0] and a[1] < b[1] - MIN_GAIN)


def select(rows, mode):
    """Forward selection over EXTRAS at each penalty: rows of ((cost, loss), l2, features)."""
    table = []
    for l2 in L2_GRID:
        chosen = list(BASE[mode])
        score = criterion(rows, chosen, l2)
        table.append((score, l2, list(chosen)))
        while True:
            tries = [(criterion(rows, chosen + [x], l2), x)
                     for x in EXTRAS if x not in chosen and usable(x, mode)]
            if not tries:
                break
            best, x = min(tries)
            if not better(best, score):
                break
            score, chosen = best, chosen + [x]
            table.append((score, l2, list(chosen)))
    return table


def usable(name, mode):
    return mode == "meaning" or name not in ("phrasing", "entry")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/debug/interview-bot")
    ap.add_argument("--words-only", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each fitted query's evidence")
    ap.add_argument("--no-test", action="store_true",
                    help="leave the test half out entirely (while working on search: it is measured once, at the end)")
    a = ap.parse_args()
    mode = "words" if a.words_only else "meaning"
    sets = {
        "fit": real_rows(a.bin, "fit", a.words_only),
        "fresh": real_rows(a.bin, "fresh", a.words_only),
        "dev": eval_rows(a.bin, EVAL / "dev_queries.tsv", EVAL / "dev_out_of_bank.txt", a.words_only, "dev"),
        "held-out": eval_rows(a.bin, ROOT / "tests/fixtures/heldout_queries.tsv",
                              ROOT / "tests/fixtures/heldout_out_of_bank.txt", a.words_only, "held-out"),
    }
    if not a.no_test:
        sets["test"] = real_rows(a.bin, "test", a.words_only)
    fitted = [r for name in ("fit", "fresh", "dev", "held-out") for r in sets[name] if r.evidence is not None]
    if a.show:
        for r in fitted:
            print(f"{r.source[:24]:24} right={r.right} confident={r.confident!s:5} "
                  f"{' '.join(f'{v:.2f}' for v in design([r], RUST[mode])[0][1:])}  {r.query}")

    print(f"fitted on {len(fitted)} queries: real questions' fit half, dev, held-out ({mode})")
    print("cross-validation, leaving out one source at a time "
          f"({len({r.source for r in fitted})} sources): out-of-fold decision cost, log loss")
    table = select(fitted, mode)
    for (c, loss), l2, names in table:
        print(f"  l2 {l2:<5} cost {c:.4f}  log loss {loss:.4f}  {', '.join(names)}")
    _, l2, names = min(table, key=lambda t: t[0])
    print(f"chosen: l2 {l2}, features {', '.join(names)}")
    rust = RUST[mode]
    if set(names) != set(rust):
        print(f"NOTE: confidence.rs uses {', '.join(rust)}; change it (Evidence, Confidence::of) "
              "and RUST here to follow the choice")
        l2 = min((t for t in table if set(t[2]) == set(rust)), key=lambda t: t[0], default=(0, l2))[1]
    model = fit_model(fitted, rust, l2)
    print(f"features: bias, {', '.join(rust)} (l2 {l2})")
    for g, w in model.items():
        const = "WORDS" if mode == "words" else f"MEANING_{g.upper()}"
        n = sum(1 for r in fitted if group(r) == g)
        print(f"const {const}: [f32; {len(w)}] = [{', '.join(f'{v:.2f}' for v in w)}];  // {n} queries")

    print("out of fold, by source (fitted without it):")
    oof = out_of_fold(fitted, rust, l2)
    for source in sorted({r.source for r in fitted}):
        part = [(p, r) for p, r in zip(oof, fitted) if r.source == source]
        print(f"  {source[:48]:48} n={len(part):3}  {describe([p for p, _ in part], [r for _, r in part])}")

    print(f"figures at {THRESHOLD}: fitted coefficients | the binary now")
    for name, rows in sets.items():
        tag = f"{name} (never fitted)" if name == "test" else name
        print(f"  {tag:20} {describe(predict_model(model, rows, rust), rows)}")
        print(f"  {'':20} {describe([1.0 if r.confident else 0.0 for r in rows], rows)}")

    if a.no_test:
        return
    for label, ps in (("fitted coefficients", predict_model(model, sets["test"], rust)),
                      ("the binary now", [r.value or 0.0 for r in sets["test"]])):
        print(f"reliability on the test half, {label} (band: answers, share right):")
        for lo, hi, n, right in reliability(ps, sets["test"]):
            share = right / n if n else None
            flag = "" if share is None or share >= lo - 1e-9 else "  BELOW the band's lower edge"
            print(f"  {lo:.2f}-{hi:.2f}  n={n:3}  right {'-' if share is None else f'{share:.2f}'}{flag}")


if __name__ == "__main__":
    main()
