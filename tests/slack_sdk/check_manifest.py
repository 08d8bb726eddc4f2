#!/usr/bin/env python3
"""Checks generated Slack app manifests (YAML files, e.g. deploy/slack-manifest.yaml
and the output of `interview-bot slack manifest --url ...`).

With Slack's published app-manifest JSON Schema (the `slackapi/manifest-schema`
repository, `schemas/manifest.schema.1.0.0.json`; see tests/fixtures/SPECS.md)
found at $SLACK_MANIFEST_SCHEMA or ../shared/specs/slack-manifest-schema/ beside
the repository, each manifest is validated against it (needs the `jsonschema`
package). Without it, against the fields Slack's manifest reference documents
for what this manifest uses: no unknown keys in the objects below, and their
types and lengths.

Usage: check_manifest.py MANIFEST.yaml...   Exit status 1 on any error.
"""

import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(REPO, "..", "shared", "specs", "slack-manifest-schema", "manifest.schema.1.0.0.json")

URL = re.compile(r"^https?://")

# (type, min length, max length, pattern) of each documented field; a dict is
# an object that takes only the keys listed.
DOCUMENTED = {
    "display_information": {
        "name": (str, 1, 35, None),
        "description": (str, 1, 140, None),
        "background_color": (str, 4, 7, re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")),
        "long_description": (str, 175, 4000, None),
    },
    "features": {
        "app_home": {
            "home_tab_enabled": (bool,),
            "messages_tab_enabled": (bool,),
            "messages_tab_read_only_enabled": (bool,),
        },
        "bot_user": {"display_name": (str, 1, 80, None), "always_online": (bool,)},
        "slash_commands": [
            {
                "command": (str, 2, 32, re.compile(r"^/")),
                "url": (str, 0, 3000, URL),
                "description": (str, 1, 2000, None),
                "usage_hint": (str, 1, 1000, None),
                "should_escape": (bool,),
            }
        ],
    },
    "oauth_config": {
        "scopes": {"bot": [(str, 1, 50, None)], "user": [(str, 1, 50, None)]},
        "redirect_urls": [(str, 1, 2500, None)],
    },
    "settings": {
        "event_subscriptions": {
            "request_url": (str, 0, 3500, URL),
            "bot_events": [(str, 1, 50, None)],
            "user_events": [(str, 1, 50, None)],
        },
        "interactivity": {
            "is_enabled": (bool,),
            "request_url": (str, 0, 3500, URL),
            "message_menu_options_url": (str, 0, 3500, URL),
        },
        "org_deploy_enabled": (bool,),
        "socket_mode_enabled": (bool,),
        "token_rotation_enabled": (bool,),
    },
    "_metadata": {"major_version": (int,), "minor_version": (int,)},
}
REQUIRED = [("display_information", "name"), ("features", "bot_user", "display_name")]


def documented(value, rule, path):
    errors = []
    if isinstance(rule, dict):
        if not isinstance(value, dict):
            return [f"{path}: an object expected"]
        for key, child in value.items():
            if key not in rule:
                errors.append(f"{path}.{key}: not a documented field")
            else:
                errors.extend(documented(child, rule[key], f"{path}.{key}"))
    elif isinstance(rule, list):
        if not isinstance(value, list):
            return [f"{path}: a list expected"]
        for i, item in enumerate(value):
            errors.extend(documented(item, rule[0], f"{path}[{i}]"))
    else:
        kind = rule[0]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return [f"{path}: {kind.__name__} expected, got {value!r}"]
        if kind is str:
            _, low, high, pattern = rule
            if not low <= len(value) <= high:
                errors.append(f"{path}: {len(value)} characters (documented: {low}-{high})")
            if pattern and not pattern.search(value):
                errors.append(f"{path}: {value!r} does not match {pattern.pattern}")
    return errors


def check(manifest, schema):
    if schema is not None:
        import jsonschema

        validator = jsonschema.Draft7Validator(schema)
        return [
            f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(manifest)
        ]
    errors = documented(manifest, {k: v for k, v in DOCUMENTED.items()}, "manifest")
    for path in REQUIRED:
        value = manifest
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            errors.append(f"manifest.{'.'.join(path)}: required")
    socket = manifest.get("settings", {}).get("socket_mode_enabled", False)
    if not socket:
        for where in (("features", "slash_commands"), ("settings", "event_subscriptions"), ("settings", "interactivity")):
            section = manifest
            for key in where:
                section = section.get(key, {})
            items = section if isinstance(section, list) else [section]
            for item in items:
                if item and not item.get("url", item.get("request_url")):
                    errors.append(f"manifest.{'.'.join(where)}: a request URL is needed without Socket Mode")
    return errors


def main(paths):
    schema_path = os.environ.get("SLACK_MANIFEST_SCHEMA") or (SHARED if os.path.exists(SHARED) else None)
    schema = None
    if schema_path:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        print(f"against Slack's manifest schema {schema_path}")
    else:
        print("Slack's manifest schema not found (see tests/fixtures/SPECS.md): checking the documented fields")
    failed = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            manifest = yaml.safe_load(f)
        errors = check(manifest, schema)
        for e in errors:
            print(f"error: {path}: {e}")
        failed += bool(errors)
        print(f"{path}: {len(errors)} errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
