"""``python -m plugin`` is the ``assessment-bridge`` command."""

from plugin.cli import main

main(prog_name="assessment-bridge")
