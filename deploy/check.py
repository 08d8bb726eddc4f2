#!/usr/bin/env python3
"""Checks deploy/ without a container runtime or a cluster (run by .ci/run):

- docker-compose.yml parses and has the bot, PostgreSQL with its volume, the model
  volume, the .env file and the bot's health port;
- the Kubernetes manifests (rendered by `kubectl kustomize` when kubectl is here,
  else read file by file) parse, and have a Deployment per shard range covering
  every shard once, probes on /healthz and /readyz, a non-root user, the ConfigMap
  and Secret they refer to, and a PodDisruptionBudget;
- .env.example names every credential the bot reads;
- the Dockerfile passes hadolint, and the systemd unit `systemd-analyze verify`,
  when those tools are here (said out loud when they are not).

Exit status 1 on the first group of problems; prints what was checked.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

DEPLOY = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(DEPLOY)
problems = []


def problem(text):
    problems.append(text)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def check_compose():
    path = os.path.join(DEPLOY, "docker-compose.yml")
    (compose,) = load_all(path)
    services = compose.get("services", {})
    bot, db = services.get("bot"), services.get("db")
    if not bot or not db:
        return problem(f"{path}: needs services bot and db")
    if bot.get("build", {}).get("dockerfile") != "deploy/Dockerfile":
        problem(f"{path}: bot must build deploy/Dockerfile")
    env = bot.get("environment", {})
    if not str(env.get("INTERVIEW_BOT__DATABASE__URL", "")).startswith("postgres://"):
        problem(f"{path}: bot must use PostgreSQL (INTERVIEW_BOT__DATABASE__URL)")
    if "INTERVIEW_BOT__HTTP__LISTEN" not in env:
        problem(f"{path}: bot must listen for health and metrics")
    if bot.get("env_file") != ".env":
        problem(f"{path}: bot must read .env")
    if not any(str(v).startswith("model:") for v in bot.get("volumes", [])):
        problem(f"{path}: the model must be in a volume")
    if not any(str(v).startswith("pgdata:/var/lib/postgresql/data") for v in db.get("volumes", [])):
        problem(f"{path}: PostgreSQL's data must be in a volume")
    if "healthcheck" not in db or bot.get("depends_on", {}).get("db", {}).get("condition") != "service_healthy":
        problem(f"{path}: the bot must wait for a healthy database")
    for volume in ("pgdata", "model"):
        if volume not in (compose.get("volumes") or {}):
            problem(f"{path}: volume {volume} is not declared")
    print(f"ok: {os.path.relpath(path, REPO)} parses; bot, PostgreSQL, volumes, .env and health port present")


def check_env_example():
    path = os.path.join(DEPLOY, ".env.example")
    names = set(re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", open(path).read(), re.M))
    for name in ("POSTGRES_PASSWORD", "DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        if name not in names:
            problem(f"{path}: {name} is missing")
    print(f"ok: {os.path.relpath(path, REPO)} names every credential")


def manifests():
    k8s = os.path.join(DEPLOY, "kubernetes")
    if shutil.which("kubectl"):
        rendered = subprocess.run(["kubectl", "kustomize", k8s], capture_output=True, text=True)
        if rendered.returncode != 0:
            problem(f"{k8s}: kubectl kustomize failed: {rendered.stderr.strip()}")
            return []
        docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
        how = "rendered with kubectl kustomize"
    else:
        print("skipped: kubectl is not installed; reading the manifests file by file")
        docs = []
        for name in sorted(os.listdir(k8s)):
            if name.endswith(".yaml") and name not in ("kustomization.yaml", "secret.example.yaml"):
                docs += load_all(os.path.join(k8s, name))
        how = "read file by file"
    docs += load_all(os.path.join(k8s, "secret.example.yaml"))
    return docs, how


def check_kubernetes():
    found = manifests()
    if not found:
        return
    docs, how = found
    by_kind = {}
    for d in docs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in d:
                problem(f"kubernetes: a document lacks {key}: {str(d)[:80]}")
        by_kind.setdefault(d.get("kind"), []).append(d)
    configmaps = {d["metadata"]["name"] for d in by_kind.get("ConfigMap", [])}
    secrets = {d["metadata"]["name"] for d in by_kind.get("Secret", [])}
    if not configmaps or not secrets:
        problem("kubernetes: needs a ConfigMap for settings and a Secret for tokens")
    for cm in by_kind.get("ConfigMap", []):
        for name, text in cm.get("data", {}).items():
            if name.endswith(".toml") and re.search(r"token|password|secret", text, re.I):
                problem(f"kubernetes: ConfigMap {cm['metadata']['name']} mentions a credential")
    shards, total = [], set()
    for d in by_kind.get("Deployment", []) + by_kind.get("StatefulSet", []):
        name = d["metadata"]["name"]
        spec = d["spec"]["template"]["spec"]
        selector = d["spec"]["selector"]["matchLabels"]
        labels = d["spec"]["template"]["metadata"]["labels"]
        if any(labels.get(k) != v for k, v in selector.items()):
            problem(f"kubernetes: {name}: the selector does not match the pod labels")
        if not spec.get("securityContext", {}).get("runAsNonRoot"):
            problem(f"kubernetes: {name}: must run as non-root")
        for c in spec["containers"]:
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            m = re.fullmatch(r"(\d+)-(\d+)/(\d+)", str(env.get("INTERVIEW_BOT__DISCORD__SHARDS", "")))
            if not m:
                problem(f"kubernetes: {name}: needs INTERVIEW_BOT__DISCORD__SHARDS=FIRST-LAST/TOTAL")
            else:
                first, last, n = map(int, m.groups())
                shards += range(first, last + 1)
                total.add(n)
            if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
                problem(f"kubernetes: {name}: the liveness probe must GET /healthz")
            if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
                problem(f"kubernetes: {name}: the readiness probe must GET /readyz")
            refs = {e["secretRef"]["name"] for e in c.get("envFrom", []) if "secretRef" in e}
            if not refs or not refs <= secrets:
                problem(f"kubernetes: {name}: must take its credentials from the Secret")
        mounted = {v["configMap"]["name"] for v in spec.get("volumes", []) if "configMap" in v}
        if not mounted or not mounted <= configmaps:
            problem(f"kubernetes: {name}: must mount the settings ConfigMap")
    if len(total) != 1 or sorted(shards) != list(range(next(iter(total), 0))):
        problem(f"kubernetes: the shard ranges must cover 0..TOTAL-1 once each (have {sorted(shards)} of {total})")
    if not by_kind.get("PodDisruptionBudget"):
        problem("kubernetes: needs a PodDisruptionBudget")
    print(f"ok: deploy/kubernetes ({how}): {len(docs)} documents; shard ranges cover {len(shards)} shards once; probes, non-root, ConfigMap, Secret, PodDisruptionBudget")


def hadolint():
    tool = shutil.which("hadolint") or os.environ.get("HADOLINT")
    if not tool or not os.path.exists(tool):
        print("skipped: hadolint is not installed (set HADOLINT=/path/to/hadolint); the Dockerfile was not linted")
        return
    run = subprocess.run([tool, os.path.join(DEPLOY, "Dockerfile")], capture_output=True, text=True)
    if run.returncode != 0:
        problem(f"hadolint: {run.stdout.strip()} {run.stderr.strip()}")
    else:
        print("ok: deploy/Dockerfile passes hadolint")


def systemd_verify():
    if not shutil.which("systemd-analyze"):
        print("skipped: systemd-analyze is not installed; the unit was not verified")
        return
    binary = os.path.join(REPO, "target", "debug", "interview-bot")
    if not os.path.exists(binary):
        print("skipped: target/debug/interview-bot is not built; the unit was not verified")
        return
    with tempfile.TemporaryDirectory() as tmp:
        # The unit names the installed binary's path; verify it against the built one.
        text = open(os.path.join(DEPLOY, "interview-bot.service")).read()
        unit = os.path.join(tmp, "interview-bot.service")
        open(unit, "w").write(text.replace("/opt/interview-bot/interview-bot", binary))
        run = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True)
    if run.returncode != 0 or run.stderr.strip():
        problem(f"systemd-analyze verify: {run.stderr.strip()}")
    else:
        print("ok: deploy/interview-bot.service passes systemd-analyze verify")


for check in (check_compose, check_env_example, check_kubernetes, hadolint, systemd_verify):
    check()
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print("deploy/ checks pass")
