"""``keyceremony due``: what expires or falls due, soonest first; exit 1 when anything is overdue.

The exit status lets cron or a monitoring check on the CA's shelf computer raise an alarm.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

from ceremony.commands.inventory import day, read_inventory, table
from ceremony.errors import UsageError
from ceremony.inventory import add_inventory_argument
from ceremony.inventory.due import DEFAULT_WITHIN_DAYS, DRILL_INTERVAL, due_items
from ceremony.inventory.entries import iso

MAX_WITHIN_DAYS = 36525  # a root lives 25 years at most; a century is ample



def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--within", metavar="DAYS", type=_days, default=DEFAULT_WITHIN_DAYS,
                        help=f"look this many days ahead (default {DEFAULT_WITHIN_DAYS}); "
                             "overdue items are always listed")
    parser.add_argument("--json", action="store_true",
                        help="print JSON with stable keys, for machines")
    add_inventory_argument(parser)
    # For tests and for planning ("what will be due on the day of the next ceremony?").
    parser.add_argument("--now", type=_moment, default=None, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    now: datetime = args.now or datetime.now(UTC)
    try:
        now + timedelta(days=args.within) + DRILL_INTERVAL  # the furthest date due_items forms
    except OverflowError:
        raise UsageError(f"{args.within} days after {day(now)} is past the year 9999; look less "
                         "far ahead") from None
    items = read_inventory(args.inventory,
                           lambda inventory: due_items(inventory, now, args.within))
    overdue = sum(item.overdue for item in items)
    if args.json:
        print(json.dumps({"now": iso(now), "within_days": args.within, "overdue": overdue,
                          "items": [item.as_dict() for item in items]}, indent=2))
    elif not items:
        print(f"Nothing falls due within {args.within} days of {day(now)}.")
    else:
        print(f"Due within {args.within} days of {day(now)}: {len(items)}, {overdue} overdue")
        print("\n".join(table(
            ["DUE", "DAYS LEFT", "KIND", "WHAT"],
            [[day(i.due), f"{i.days_left} overdue" if i.overdue else str(i.days_left),
              i.kind.value, i.what] for i in items])))
    return 1 if overdue else 0


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError("the number of days must not be negative")
    if days > MAX_WITHIN_DAYS:
        raise argparse.ArgumentTypeError(f"look at most {MAX_WITHIN_DAYS} days (a century) "
                                         "ahead")
    return days


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
