"""``rostra integrity SUBCOMMAND``: each subcommand lives in its own module under
``rostra.integrity.commands`` (``add_arguments(parser)`` and ``run(options, out)``),
so the detectors, the incidents and the STIX exchange keep their doors apart."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandError

# name -> (module under rostra.integrity.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "analyse": ("analyse", "detectors over a toolkit-format CSV: FILE.csv --output clusters.json "
                           "[--election] [--window-seconds N]"),
    "detect": ("detect", "run coordination detection now over new posts (or --since DATE)"),
    "export-stix": ("export_stix", "an incident as a STIX 2.1 bundle: INCIDENT_ID --output F "
                                   "[--tlp clear|green|amber|amber+strict|red]"),
    "import-stix": ("import_stix", "a partner's STIX 2.1 bundle as a watch list: FILE"),
}


def _module(name: str):
    return importlib.import_module(f"rostra.integrity.commands.{SUBCOMMANDS[name][0]}")


class Command(BaseCommand):
    help = "Integrity: " + "; ".join(f"{n}: {h}" for n, (_, h) in SUBCOMMANDS.items())

    def add_arguments(self, parser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True)
        for name, (_, text) in SUBCOMMANDS.items():
            sub = subparsers.add_parser(name, help=text)
            _module(name).add_arguments(sub)

    def handle(self, *args, **options) -> None:
        name = options["subcommand"]
        if name not in SUBCOMMANDS:
            raise CommandError(f"unknown subcommand {name!r}")
        _module(name).run(options, self.stdout)
