#!/usr/bin/env python3
"""A second implementation of the delivery rules, written from docs/RULES.md and
docs/TRACE-FORMAT.md alone, that `replywindow conform` is tested against.

    engine.py TRACE POLICY OUT [--fault NAME]

TRACE and OUT may be `-` for standard input and output. Exits 2 on invalid input. With
--fault it plants one known mistake, so that the tests can see `conform` find it:

    inclusive-window     a message exactly at latest + W is still in the window
    accept-opens-window  an `accept` opens the standard window like a message
    ignore-policy        the policy file is not read (Meta's numbers always)
    hang                 never finishes on boundary.csv (answers the other files)
    crash                fails on every trace (exit 3)
"""
import csv
import datetime
import io
import re
import sys
import time

MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
META = {
    "whatsapp": {"window": 24 * MS["h"], "human_agent_extension": None,
                 "private_reply_validity": 7 * MS["d"], "hold_until_accepted": False},
    "facebook": {"window": 24 * MS["h"], "human_agent_extension": 7 * MS["d"],
                 "private_reply_validity": 7 * MS["d"], "hold_until_accepted": False},
    "instagram": {"window": 24 * MS["h"], "human_agent_extension": 7 * MS["d"],
                  "private_reply_validity": 7 * MS["d"], "hold_until_accepted": True},
}


KEYS = {
    "whatsapp": {"window"},
    "facebook": {"window", "human_agent_extension", "private_reply_validity"},
    "instagram": {"window", "human_agent_extension", "private_reply_validity",
                  "hold_until_accepted"},
}


class Invalid(Exception):
    pass


def duration(key, text):
    if not isinstance(text, str) or not re.fullmatch(r"\s*(\d+(ms|s|m|h|d)\s*)+", text):
        raise Invalid(f"{key}: not a duration: {text!r}")
    total = sum(int(n) * MS[u] for n, u in re.findall(r"(\d+)(ms|s|m|h|d)", text))
    if total <= 0:
        raise Invalid(f"{key}: must be longer than zero")
    return total


def read_toml(path):
    """The subset of TOML policy files use: [tables], `key = "text"`, `key = true|false`,
    comments. Anything else is invalid."""
    data, table = {}, None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            m = re.fullmatch(r"\[([A-Za-z0-9_-]+)\]", line)
            if m:
                if m.group(1) in data:
                    raise Invalid(f"line {number}: table [{m.group(1)}] twice")
                table = data[m.group(1)] = {}
                continue
            m = re.fullmatch(r'([A-Za-z0-9_-]+)\s*=\s*("([^"\\]*)"|true|false)', line)
            if not m or table is None or m.group(1) in table:
                raise Invalid(f"line {number}: not a policy line: {line!r}")
            value = m.group(3) if m.group(3) is not None else m.group(2) == "true"
            table[m.group(1)] = value
    return data


def read_policy(path):
    policy = {c: dict(p) for c, p in META.items()}
    data = read_toml(path)
    for channel, table in data.items():
        if channel not in policy or not isinstance(table, dict):
            raise Invalid(f"unknown table {channel}")
        for key, value in table.items():
            name = f"{channel}.{key}"
            if key not in KEYS[channel]:
                raise Invalid(f"unknown key {name}")
            if key == "hold_until_accepted":
                if not isinstance(value, bool):
                    raise Invalid(f"{name}: true or false")
                policy[channel][key] = value
            elif key == "human_agent_extension":
                policy[channel][key] = None if value == "none" else duration(name, value)
            elif key in ("window", "private_reply_validity"):
                policy[channel][key] = duration(name, value)
            else:
                raise Invalid(f"unknown key {name}")
    for channel, p in policy.items():
        e = p["human_agent_extension"]
        if e is not None and e <= p["window"]:
            raise Invalid(f"{channel}.human_agent_extension: not longer than the window")
    return policy


INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:\d{2})")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def instant(text):
    m = INSTANT.fullmatch(text)
    if not m:
        raise Invalid(f"not an instant: {text!r}")
    y, mo, d, h, mi, s, frac, off = m.groups()
    try:
        t = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s),
                              tzinfo=datetime.timezone.utc)
    except ValueError:
        raise Invalid(f"not an instant: {text!r}")
    ms = int(frac.ljust(3, "0")) if frac else 0
    minutes = 0
    if off != "Z":
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            raise Invalid(f"offset out of range: {text!r}")
        minutes = (oh * 60 + om) * (1 if off[0] == "+" else -1)
    return (t - EPOCH) // datetime.timedelta(milliseconds=1) + ms - minutes * 60_000


def canonical(ms):
    t = EPOCH + datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


REQUIRED = ["case", "seq", "at", "channel", "actor", "action"]
CUSTOMER = {"whatsapp": {"message"}, "facebook": {"message", "comment"},
            "instagram": {"message", "comment", "accept"}}


class Case:
    def __init__(self, channel):
        self.channel = channel
        self.last = None
        self.latest_comment = None
        self.latest_is_comment = False
        self.pending = False
        self.held = []
        self.credits = []


def decide(case, p, sender, action, content, tagged, t, fault):
    window = p["window"]
    inside = (lambda end: t <= end) if fault == "inclusive-window" else (lambda end: t < end)
    if action == "comment_reply":
        return "public_reply" if case.latest_comment is not None else "no_comment"
    if tagged and sender == "bot":
        return "automated_human_agent"
    if tagged and content == "promotional":
        return "promotional_human_agent"
    if case.last is not None and inside(case.last + window):
        return "standard_window"
    e = p["human_agent_extension"]
    if (case.channel != "whatsapp" and e is not None and sender == "operator" and tagged
            and case.last is not None and t < case.last + e):
        return "human_agent"
    valid = [c for c in case.credits if t < c + p["private_reply_validity"]]
    if valid:
        case.credits.remove(max(valid))
        case.credits = [c for c in case.credits if t < c + p["private_reply_validity"]]
        if case.channel == "instagram" and p["hold_until_accepted"]:
            case.pending = True
        return "private_reply"
    case.credits = []
    if case.channel == "instagram" and p["hold_until_accepted"] and case.pending:
        return "awaiting_acceptance"
    if case.last is None and case.latest_comment is None:
        return "customer_first"
    if case.latest_is_comment:
        if t < case.latest_comment + p["private_reply_validity"]:
            return "private_reply_used"
        return "private_reply_expired"
    if tagged and e is not None and case.last is not None:
        return "extension_closed"
    return "window_closed"


VERDICT = {"standard_window": "delivered", "human_agent": "delivered",
           "private_reply": "delivered", "public_reply": "delivered",
           "awaiting_acceptance": "held"}


def replay(text, policy, fault):
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise Invalid("no header")
    header = rows[0]
    if len(set(header)) != len(header):
        raise Invalid("a column named twice")
    for name in REQUIRED:
        if name not in header:
            raise Invalid(f"missing column {name}")
    col = {name: i for i, name in enumerate(header)}
    cases, order, seqs, out = {}, [], set(), []
    for record in rows[1:]:
        if len(record) != len(header):
            raise Invalid("wrong number of fields")
        get = lambda name: record[col[name]] if name in col else ""
        name, seq, at = get("case"), get("seq"), get("at")
        if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
            raise Invalid(f"case {name!r}")
        if not re.fullmatch(r"0|[1-9][0-9]*", seq) or int(seq) >= 2 ** 63:
            raise Invalid(f"seq {seq!r}")
        if (name, seq) in seqs:
            raise Invalid(f"seq {seq} twice")
        seqs.add((name, seq))
        t = instant(at)
        channel, actor, action = get("channel"), get("actor"), get("action")
        content, tag = get("content"), get("tag")
        if channel not in CUSTOMER:
            raise Invalid(f"channel {channel!r}")
        case = cases.get(name)
        if case is None:
            case = cases[name] = Case(channel)
            case.at = t
        if case.channel != channel:
            raise Invalid("channel changes")
        if t < case.at:
            raise Invalid("instant goes backwards")
        case.at = t
        if tag not in ("", "human_agent"):
            raise Invalid(f"tag {tag!r}")
        if actor == "customer":
            if action not in ("message", "comment", "accept"):
                raise Invalid(f"action {action!r}")
            if content or tag:
                raise Invalid("content or tag on a customer row")
            if action not in CUSTOMER[channel]:
                raise Invalid(f"{action} on {channel}")
            release = False
            if action == "message":
                case.last, case.latest_is_comment, release = t, False, True
            elif action == "comment":
                case.credits.append(t)
                case.latest_comment, case.latest_is_comment = t, True
            elif case.pending or case.held or fault == "accept-opens-window":
                case.latest_is_comment, release = False, True
                if fault == "accept-opens-window":
                    case.last = t
            if release:
                case.pending = False
                for row in case.held:
                    row[4] = canonical(t)
                case.held = []
        elif actor in ("operator", "bot"):
            if action not in ("message", "comment_reply"):
                raise Invalid(f"action {action!r}")
            if content not in ("", "related", "promotional"):
                raise Invalid(f"content {content!r}")
            if action == "comment_reply" and channel == "whatsapp":
                raise Invalid("comment_reply on whatsapp")
            if tag and (channel == "whatsapp" or action == "comment_reply"):
                raise Invalid("tag not allowed here")
            reason = decide(case, policy[channel], actor, action, content or "related",
                            bool(tag), t, fault)
            verdict = VERDICT.get(reason, "violation" if "human_agent" in reason
                                  else "undelivered")
            row = [name, seq, verdict, reason, canonical(t) if verdict == "delivered" else ""]
            if verdict == "held":
                case.held.append(row)
            out.append(row)
        else:
            raise Invalid(f"actor {actor!r}")
    lines = ["case,seq,verdict,reason,delivered_at"] + [",".join(r) for r in out]
    return "\n".join(lines) + "\n"


def main(argv):
    fault = "none"
    if "--fault" in argv:
        i = argv.index("--fault")
        fault = argv[i + 1]
        del argv[i:i + 2]
    trace, policy_path, out = argv
    if fault == "hang" and trace.endswith("/boundary.csv"):
        time.sleep(3600)
    if fault == "crash":
        print("engine.py: crashed", file=sys.stderr)
        return 3
    try:
        policy = META if fault == "ignore-policy" else read_policy(policy_path)
        if trace == "-":
            text = sys.stdin.read()
        else:
            with open(trace, encoding="utf-8", newline="") as f:
                text = f.read()
        text = text.removeprefix("\ufeff")
        verdicts = replay(text, policy, fault)
    except (Invalid, ValueError, OSError) as e:
        print(f"engine.py: {e}", file=sys.stderr)
        return 2
    if out == "-":
        sys.stdout.write(verdicts)
    else:
        with open(out, "w", encoding="utf-8") as f:
            f.write(verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
