"""``rostra integrity export-stix INCIDENT_ID --output F [--tlp LEVEL]``: an incident
as a validated STIX 2.1 bundle, for partners who take files rather than links."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import CommandError

from rostra.integrity.models import Incident
from rostra.integrity.stix_export import TLP_LEVELS, export_incident


def add_arguments(parser) -> None:
    parser.add_argument("incident_id", type=int, metavar="INCIDENT_ID")
    parser.add_argument("--output", required=True, metavar="F", help="the bundle's JSON file")
    parser.add_argument("--tlp", choices=TLP_LEVELS, default="amber",
                        help="TLP 2.0 marking on every object (default: amber)")


def run(options: dict, out) -> None:
    incident = Incident.objects.filter(pk=options["incident_id"]).first()
    if incident is None:
        raise CommandError(f"no incident {options['incident_id']}")
    output = Path(options["output"])
    if not output.parent.is_dir():
        raise CommandError(f"cannot write {output}: {output.parent} is not a directory")
    bundle = export_incident(incident, tlp=options["tlp"])
    handle, temporary = tempfile.mkstemp(prefix=".stix-", dir=output.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(bundle, stream, indent=1)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    out.write(f"Wrote {len(bundle['objects'])} STIX objects (TLP:{options['tlp'].upper()}) "
              f"for incident {incident.pk} to {output}")
