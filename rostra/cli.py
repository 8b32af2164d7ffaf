"""The ``rostra`` command: Rostra's own commands, and ``manage`` for any Django one."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "serve over HTTP with the background worker (--host, --port, --no-worker)",
    "worker": "run background tasks in their own process",
    "migrate": "create or update the database",
    "createuser": "create a user: USERNAME --email E [--admin] [--password-stdin]",
    "deleteuser": "delete a user after the grace period: USERNAME [--now | --cancel]",
    "demo": "seed demo accounts and posts into an empty database",
    "import": "import: x-archive PATH.zip | mastodon-archive PATH | csv KIND PATH.csv, "
              "--user USERNAME [--dry-run ...]",
    "move": "account migration: alias|unalias|move USERNAME HANDLE | cancel|status USERNAME",
    "export": "export an account to a zip: --user USERNAME --output PATH [--json]",
    "hashlist": "hash lists: import FILE --name N --kind K --action A | list | remove --name N",
    "hashfeed": "hash feeds: subscribe URL --name N [--action block|review] | pull [--name N] "
                "| list",
    "dsa": "EU DSA: export-statements --since DATE [--send] | transparency-report ...",
    "feeds": "feed audit: replay LOG_ID (re-run a logged ranking, compare hashes) | "
             "purge-audit",
    "integrity": "coordinated behaviour: analyse FILE.csv --output clusters.json | ... "
                 "(rostra integrity --help)",
    "media": "stored files: remove-orphans [--older-than HOURS] [--dry-run]",
    "backup": "back up the database and media: --output PATH[.tar.gz]",
    "restore": "restore a backup: PATH [--force] [--check]",
    "manage": "run any Django management command (rostra manage help)",
}


def usage() -> str:
    lines = ["usage: rostra COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<11} {text}" for name, text in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rostra.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"rostra: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        sys.exit(2)
    from django.core.management import execute_from_command_line

    if command == "manage":
        execute_from_command_line(["rostra manage", *rest])
    else:
        execute_from_command_line(["rostra", command, *rest])


if __name__ == "__main__":
    main()
