#!/usr/bin/env python3
"""Checks every Block Kit payload the bot sent to the fake Slack in the tests
against the official Slack SDK for Python (`slack_sdk`, installed from PyPI by
.ci/run): each `blocks` array and each view of the dumps the fake writes
(tests/common/fake_slack.rs, `target/slack-dump/*.jsonl`, one JSON object a
line: {"source": "chat.postMessage", "blocks": [...]} or {"source": ..., "view": {...}}).

Per block: `slack_sdk.models.blocks.Block.parse` must know its type and
`validate_json()` must pass (the SDK's limits: text lengths, element counts,
required fields); the SDK's `to_dict()` of it must keep every field sent (a
field the SDK drops is one Slack does not define). Per message: at most 50
blocks (`slack_sdk.models.messages.Message`), block ids unique. Per view:
`slack_sdk.models.views.View(**view).validate_json()` (title, submit, close,
at most 100 blocks), and the same per-block checks.

Usage: check_blocks.py DUMP.jsonl...   Exit status 1 on any error, 2 when
there was nothing to check.
"""

import json
import sys

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.version import __version__

MESSAGE_BLOCKS = 50


def dropped(sent, kept, path):
    """Fields of `sent` that the SDK's dict of it does not have."""
    out = []
    if isinstance(sent, dict):
        if not isinstance(kept, dict):
            return [f"{path}: became {type(kept).__name__}"]
        for key, value in sent.items():
            if key not in kept:
                out.append(f"{path}.{key}: not a field the SDK knows")
            else:
                out.extend(dropped(value, kept[key], f"{path}.{key}"))
    elif isinstance(sent, list):
        if not isinstance(kept, list) or len(kept) != len(sent):
            return [f"{path}: list changed"]
        for i, (a, b) in enumerate(zip(sent, kept)):
            out.extend(dropped(a, b, f"{path}[{i}]"))
    return out


def check_blocks(blocks, where):
    errors = []
    ids = []
    for i, raw in enumerate(blocks):
        at = f"{where} block {i} ({raw.get('type') if isinstance(raw, dict) else raw!r})"
        try:
            block = Block.parse(raw)
            if block is None or type(block) is Block:
                errors.append(f"{at}: a block type the SDK does not know")
                continue
            block.validate_json()
            errors.extend(f"{at}: {e}" for e in dropped(raw, block.to_dict(), "block"))
        except (SlackObjectFormationError, TypeError, ValueError, KeyError) as e:
            errors.append(f"{at}: {e}")
        block_id = raw.get("block_id") if isinstance(raw, dict) else None
        if block_id is not None:
            if block_id in ids:
                errors.append(f"{at}: block_id {block_id!r} is used twice")
            ids.append(block_id)
    return errors


def check(entry, where):
    if "blocks" in entry:
        blocks = entry["blocks"]
        errors = check_blocks(blocks, where)
        if len(blocks) > MESSAGE_BLOCKS:
            errors.append(f"{where}: {len(blocks)} blocks (a message has at most {MESSAGE_BLOCKS})")
        return errors
    view = entry["view"]
    errors = check_blocks(view.get("blocks") or [], f"{where} view")
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as e:
        errors.append(f"{where} view: {e}")
    return errors


def main(paths):
    checked = 0
    errors = []
    seen = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                entry = json.loads(line)
                key = json.dumps(entry, sort_keys=True)
                if key in seen:
                    continue
                seen.add(key)
                checked += 1
                errors.extend(check(entry, f"{path}:{n} ({entry.get('source')})"))
    for e in errors:
        print(f"error: {e}")
    kinds = "blocks arrays and views"
    print(f"slack_sdk {__version__}: {checked} distinct {kinds} checked, {len(errors)} errors")
    if checked == 0:
        return 2
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
