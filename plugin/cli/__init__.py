"""The ``assessment-bridge`` command line."""

from __future__ import annotations

import click

from plugin.cli.ats import ats_group
from plugin.cli.db import db_group
from plugin.cli.keys import keys_group
from plugin.cli.mapping import mapping_group
from plugin.cli.platform import platform_group
from plugin.cli.secrets import secrets_group
from plugin.cli.serve import serve
from plugin.cli.serve import worker
from plugin.cli.sync import reconcile
from plugin.cli.sync import sync_group
from plugin.cli.vendor import assessment_group
from plugin.cli.vendor import vendor_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="assessment-bridge")
def main() -> None:
    """Assessment Bridge: an LTI 1.3 tool that sends learners into vendor assessments and
    syncs their results to the LMS gradebook and applicant tracking systems.

    Settings come from BRIDGE_* environment variables (see README); with none set,
    everything lives in ~/.local/share/assessment-bridge.
    """


main.add_command(serve)
main.add_command(worker)
main.add_command(db_group)
main.add_command(keys_group)
main.add_command(mapping_group)
main.add_command(platform_group)
main.add_command(secrets_group)
main.add_command(vendor_group)
main.add_command(assessment_group)
main.add_command(ats_group)
main.add_command(sync_group)
main.add_command(reconcile)
