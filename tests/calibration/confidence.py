#!/usr/bin/env python3
"""Fit and check the coefficients of src/search/confidence.rs.

Usage: confidence.py [--bin target/debug/interview-bot] [--words-only]

Runs `BIN ask --json --explain` over the in-bank query sets (../shared/eval/dev_queries.tsv,
tests/fixtures/heldout_queries.tsv) and the out-of-bank ones (../shared/eval/dev_out_of_bank.txt,
tests/fixtures/heldout_out_of_bank.txt), labels each query's best hit right (in bank, right top hit)
or not (out of bank, or a wrong top hit), and fits a logistic regression (Newton's method, a small
L2 penalty) on the evidence the binary reports: a calibrated probability that the best hit is right.
The threshold (search.min_confidence, default 0.75) is a cost, not a fit: answering wrong is taken
to cost three times a refusal that offers the right entry as a suggestion, so answer when p >= 3/4.
It prints:
  - the coefficients fitted on dev and held-out sets together, to paste into confidence.rs;
  - split checks at the threshold: fitted on even-numbered queries and measured on odd ones, and the
    reverse; fitted on dev only and measured on held-out, and the reverse;
  - the figures of the coefficients the binary has now, on dev and on the held-out sets.
With --words-only the model is turned off (INTERVIEW_BOT__MODEL__ENABLED=false) and the
words-only coefficients are fitted.
"""
import argparse, json, math, os, pathlib, subprocess, sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(EVAL))
from search_quality import rank_of  # noqa: E402
from abstain_quality import read_in_bank  # noqa: E402

MEANING = ["coverage", "phrasing", "entry", "gap", "unknown"]
WORDS = ["coverage", "gap", "unknown"]
THRESHOLD = 0.75
L2 = 0.01


def read_out(path):
    return [l.strip() for l in open(path, encoding="utf-8") if l.strip() and not l.startswith("#")]


def ask(bin_, queries, words_only):
    env = dict(os.environ)
    if words_only:
        env["INTERVIEW_BOT__MODEL__ENABLED"] = "false"
    proc = subprocess.run([bin_, "ask", "--json", "--explain", "--limit", "5"], cwd=ROOT, env=env,
                          input="\n".join(queries) + "\n", capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        sys.exit(f"ask exited {proc.returncode}: {proc.stderr[-500:]}")
    return [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]


def rows(bin_, in_bank, out_of_bank, words_only, names):
    """(features, label, kind, confident) per query; kind is 'in' or 'out'."""
    out = []
    cases = read_in_bank(in_bank)
    for (q, case), r in zip(cases, ask(bin_, [q for q, _ in cases], words_only)):
        out.append((features(r, names), 1 if r["hits"] and rank_of(case, r["hits"][:1]) == 1 else 0,
                    "in", r["confident"], q))
    oob = read_out(out_of_bank)
    for q, r in zip(oob, ask(bin_, oob, words_only)):
        out.append((features(r, names), 0, "out", r["confident"], q))
    return out


def features(r, names):
    ev = (r.get("confidence") or {}).get("evidence")
    if ev is None:
        return None
    return [1.0] + [float(ev.get(n) or 0.0) for n in names]


def fit(data):
    data = [d for d in data if d[0] is not None]
    k = len(data[0][0])
    w = [0.0] * k
    for _ in range(50):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y, kind, _, _ in data:
            c = 1.0
            p = 1 / (1 + math.exp(-sum(a * b for a, b in zip(w, x))))
            for i in range(k):
                grad[i] += c * (p - y) * x[i]
                for j in range(k):
                    hess[i][j] += c * p * (1 - p) * x[i] * x[j]
        for i in range(1, k):
            grad[i] += L2 * w[i]
            hess[i][i] += L2
        step = solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-6:
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


def confident_by(w, threshold=0.5):
    return lambda x: x is not None and 1 / (1 + math.exp(-sum(a * b for a, b in zip(w, x)))) >= threshold


def figures(data, decide):
    """refused, answered@1, wrong-answers as abstain_quality.py counts them."""
    n_in = sum(1 for d in data if d[2] == "in")
    n_out = len(data) - n_in
    good = sum(1 for x, y, kind, c, _ in data if kind == "in" and decide(x, c) and y == 1)
    wrong = sum(1 for x, y, kind, c, _ in data if decide(x, c) and y == 0)
    refused = sum(1 for x, y, kind, c, _ in data if kind == "out" and not decide(x, c))
    return f"refused: {refused / n_out:.3f}  answered@1: {good / n_in:.3f}  wrong-answers: {wrong / len(data):.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/debug/interview-bot")
    ap.add_argument("--words-only", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each dev query's evidence")
    a = ap.parse_args()
    names = WORDS if a.words_only else MEANING
    dev = rows(a.bin, EVAL / "dev_queries.tsv", EVAL / "dev_out_of_bank.txt", a.words_only, names)
    held = rows(a.bin, ROOT / "tests/fixtures/heldout_queries.tsv",
                ROOT / "tests/fixtures/heldout_out_of_bank.txt", a.words_only, names)
    if a.show:
        for x, y, kind, c, q in dev + held:
            print(f"{kind:3} right={y} confident={c!s:5} {' '.join(f'{v:.2f}' for v in (x or [])[1:])}  {q}")
    everything = dev + held
    w = fit(everything)
    print("features: bias, " + ", ".join(names))
    print("fitted on dev and held-out: [" + ", ".join(f"{v:.2f}" for v in w) + "]")
    measure = lambda ws, data: figures(data, lambda x, c: confident_by(ws, THRESHOLD)(x))
    for name, part in (("even", 0), ("odd", 1)):
        train = [d for i, d in enumerate(everything) if i % 2 == part]
        test = [d for i, d in enumerate(everything) if i % 2 != part]
        wp = fit(train)
        print(f"split: fit on {name} queries: fit half {measure(wp, train)} | other half {measure(wp, test)}")
    print(f"split: fit on dev: dev {measure(fit(dev), dev)} | held-out {measure(fit(dev), held)}")
    print(f"split: fit on held-out: held-out {measure(fit(held), held)} | dev {measure(fit(held), dev)}")
    print(f"the binary now, dev:      {figures(dev, lambda x, c: c)}")
    print(f"the binary now, held-out: {figures(held, lambda x, c: c)}")

if __name__ == "__main__":
    main()
