"""``assessment-bridge vendor`` and ``assessment``: vendor connections and assessments."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import typing as t

import click

from plugin.attempts.assessments import AssessmentError
from plugin.attempts.assessments import AssessmentInfo
from plugin.attempts.assessments import AssessmentService
from plugin.attempts.assessments import VendorSetupError
from plugin.cli.check_report import show_report
from plugin.cli.config_options import config_options
from plugin.cli.context import load_app
from plugin.cli.context import reported
from plugin.cli.output import json_option
from plugin.cli.output import print_json
from plugin.cli.output import print_table
from plugin.cli.output import to_jsonable
from plugin.services import services
from plugin.vendors.connections import VendorConnectionError
from plugin.vendors.connections import VendorConnectionInfo
from plugin.vendors.connections import VendorConnectionService
from plugin.vendors.errors import VendorError
from plugin.vendors.registry import KINDS
from plugin.vendors.registry import VendorKind

SIGNAL_NOTES = {
    "startexam": "By hand (StartExam has no API for it): paste the browser URL into each"
    " test's settings in StartExam (callback URL, the redirect after finish); StartExam"
    " appends participantId. It passes through"
    " learners' browsers, so it carries the browser token, not the callback token; replace"
    " a callback URL pasted before.",
    "examspark": "Learners' players report through the tool; the callback URL is the"
    " lis_outcome_service_url for grade passback (OAuth 1.0 signed with the app key/secret).",
    "mettl": "Set for you: `assessment add` points the schedule's 'finish test' and"
    " 'graded' notification URLs at the callback URL (with &accessKey=<access key>) and its"
    " exit redirection URL at the exit URL, through Mettl's Edit Schedule API"
    " (--no-configure-vendor skips it, `assessment configure ID` redoes it). By hand:"
    " paste the same URLs into the schedule's settings.",
    "imocha": "Nothing to paste: the callback URL is sent with each invitation.",
    "proctorexam": "No webhook: results are polled.",
}

#: Vendors that send every learner of a test to one URL after it: the exit page's.
EXIT_PAGE_KINDS = frozenset({"mettl"})


def _connections() -> VendorConnectionService:
    service: VendorConnectionService = services(load_app()).vendor_connections
    return service


def _show(info: VendorConnectionInfo, as_json: bool) -> None:
    if as_json:
        print_json({**dataclasses.asdict(info), "signal_setup": SIGNAL_NOTES[info.kind]})
        return
    click.echo(f"{info.name} ({KINDS[info.kind].title}, id {info.id})")
    for key, value in info.settings.items():
        click.echo(f"  {key.replace('_', '-')}: {value}")
    if info.browser_url is not None:
        click.echo(
            f"browser URL (paste into {KINDS[info.kind].title} test settings → callback URL):"
            f" {info.browser_url}"
        )
    else:
        click.echo(f"callback URL (secret, give it to the vendor only): {info.callback_url}")
    if info.kind in EXIT_PAGE_KINDS:
        click.echo(f"exit URL (the schedule's exit redirection URL): {info.exit_url}")
    click.echo(f"  {SIGNAL_NOTES[info.kind]}")


@click.group("vendor")
def vendor_group() -> None:
    """Vendor connections (credentials are stored encrypted)."""


@vendor_group.group("add")
def add_group() -> None:
    """Add a connection to a vendor account."""


def _add_command(kind: VendorKind) -> click.Command:
    def add(name: str, as_json: bool, **values: t.Any) -> None:
        with reported(VendorConnectionError):
            info = _connections().add(kind.name, name, values)
        _show(info, as_json)

    params: list[click.Parameter] = [
        click.Option(["--name"], required=True, help="A name for this connection."),
        click.Option(["--json", "as_json"], is_flag=True, help="Print JSON."),
        *config_options(kind.config, kind.secret_fields),
    ]
    return click.Command(
        kind.name, callback=add, params=params, help=f"Connect a {kind.title} account."
    )


for _kind in KINDS.values():
    add_group.add_command(_add_command(_kind))


@vendor_group.command("list")
@json_option
def list_connections(as_json: bool) -> None:
    """List connections (no secrets; `vendor show` prints the callback URL)."""
    rows = [c.listing() for c in _connections().list()]
    if as_json:
        print_json(rows)
    else:
        print_table(
            ["ID", "NAME", "KIND", "BASE URL"],
            [[r["id"], r["name"], r["kind"], r["base_url"]] for r in rows],
        )


@vendor_group.command("show")
@click.argument("name")
@json_option
def show(name: str, as_json: bool) -> None:
    """Show a connection and the URLs to configure at the vendor."""
    with reported(VendorConnectionError):
        info = _connections().get(name)
    _show(info, as_json)


@vendor_group.command("update")
@click.argument("name")
@click.option(
    "--set",
    "changes",
    multiple=True,
    required=True,
    metavar="SETTING=VALUE",
    help="A setting to change, named as in `vendor add` (sdk_script_url=...); repeatable."
    " A setting given without =VALUE (a secret, say) is prompted for, its input hidden.",
)
@json_option
def update(name: str, changes: tuple[str, ...], as_json: bool) -> None:
    """Change settings of a connection; its callback and browser URLs stay the same."""
    with reported(VendorConnectionError):
        info = _connections().update(name, _parsed_changes(changes))
    _show(info, as_json)


def _parsed_changes(changes: tuple[str, ...]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for change in changes:
        key, equals, value = change.partition("=")
        key = key.strip().replace("-", "_")
        if not key:
            raise click.BadParameter(f"{change!r} names no setting", param_hint="--set")
        if not equals:
            value = click.prompt(f"{key} (hidden)", hide_input=True, err=True)
        parsed[key] = value
    return parsed


@vendor_group.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove a connection that no assessment uses."""
    with reported(VendorConnectionError):
        info = _connections().remove(name)
    click.echo(f"removed {info.name}")


@vendor_group.command("test")
@click.argument("name")
@json_option
def test(name: str, as_json: bool) -> None:
    """Make one authenticated read call: were the credentials accepted, what was read."""
    with reported(VendorConnectionError, VendorError):
        report = _connections().adapter_by_name(name).check_connection()
    show_report(report, as_json=as_json)


@vendor_group.command("tests")
@click.argument("name")
@json_option
def list_tests(name: str, as_json: bool) -> None:
    """List the vendor's tests (ids to use with `assessment add`)."""
    with reported(VendorConnectionError, VendorError):
        tests = _connections().adapter_by_name(name).list_tests()
    if as_json:
        print_json(tests)
    else:
        print_table(
            ["ID", "TITLE", "MINUTES"], [[x.id, x.title, x.duration_minutes or "-"] for x in tests]
        )


@vendor_group.command("fetch")
@click.argument("name")
@click.option("--vendor-ref", required=True, help="The vendor's reference of the attempt.")
@click.option("--test-id", required=True)
def fetch(name: str, vendor_ref: str, test_id: str) -> None:
    """Print the raw result of one attempt as the vendor returns it (JSON)."""
    with reported(VendorConnectionError, VendorError):
        result = _connections().adapter_by_name(name).fetch_result(vendor_ref, test_id=test_id)
    click.echo(json.dumps(result.payload, indent=2, sort_keys=True))


@vendor_group.command("changes")
@click.argument("name")
@click.option("--cursor", default=None, help="Continue from a cursor printed before.")
@json_option
def changes(name: str, cursor: str | None, as_json: bool) -> None:
    """One page of attempts changed since CURSOR (reconciliation's view of the vendor)."""
    with reported(VendorConnectionError, VendorError):
        page = _connections().adapter_by_name(name).list_changes(cursor)
    if as_json:
        print_json(page)
        return
    print_table(
        ["VENDOR REF", "CHANGED", "STATUS"],
        [
            [i.vendor_ref, i.changed_at.isoformat() if i.changed_at else "-", i.status or "-"]
            for i in page.items
        ],
    )
    click.echo(f"next cursor: {page.next_cursor}" if page.next_cursor else "end of the listing")


@click.group("assessment")
def assessment_group() -> None:
    """Assessments: a vendor test offered through the tool."""


def _assessments() -> AssessmentService:
    service: AssessmentService = services(load_app()).assessments
    return service


#: What an assessment with no platform rows is open to, in listings.
EVERY_PLATFORM = "any registered platform"

platform_option = click.option(
    "--platform", "issuer", required=True, metavar="ISSUER", help="The platform's issuer."
)
client_id_option = click.option(
    "--client-id", default=None, help="Only this client id of the issuer (default: every one)."
)
deployment_id_option = click.option(
    "--deployment-id", default=None, help="Only this deployment (default: every one)."
)


def _assessment_json(info: AssessmentInfo) -> dict[str, t.Any]:
    document: dict[str, t.Any] = to_jsonable(info)
    document["open_to_every_platform"] = not info.platforms
    return document


def _platforms_text(info: AssessmentInfo) -> str:
    return ", ".join(p.label() for p in info.platforms) or EVERY_PLATFORM


def _show_assessment(info: AssessmentInfo, as_json: bool) -> None:
    if as_json:
        print_json(_assessment_json(info))
        return
    proctoring = (
        f"{info.proctoring_connection}:{info.proctoring_exam_id}"
        if info.proctoring_connection
        else "-"
    )
    for label, value in (
        ("id", info.id),
        ("title", info.title or "-"),
        ("vendor", f"{info.connection} ({info.kind})"),
        ("test id", info.test_id),
        ("proctoring", proctoring),
        ("gradebook column", _column_text(info)),
        ("created", info.created_at.isoformat()),
    ):
        click.echo(f"{label + ':':<18} {value}")
    click.echo("platforms:")
    for tenant in info.platforms:
        click.echo(f"  {tenant.label()}")
    if not info.platforms:
        click.echo(f"  {EVERY_PLATFORM} (add one with `assessment platform add {info.id}`)")


def _column_text(info: AssessmentInfo) -> str:
    return "the activity's, else its own" if info.create_line_item else "the activity's"


@assessment_group.command("add")
@click.option("--vendor", "connection", required=True, help="Vendor connection name.")
@click.option("--test-id", required=True, help="The vendor's test id (see `vendor tests`).")
@click.option("--title", default="")
@click.option(
    "--proctoring",
    default=None,
    metavar="PROCTOR_CONN:EXAM_ID",
    help="A ProctorExam connection and exam to proctor this assessment.",
)
@click.option(
    "--score-mode",
    type=click.Choice(["percent", "points"]),
    default=None,
    help="Grade from the result's percentage (default) or from its points.",
)
@click.option("--max-points", default=None, help="Gradebook maximum to scale to.")
@click.option(
    "--hold-manual/--no-hold-manual",
    default=None,
    help="Send no score while questions await a grader (default: hold).",
)
@click.option(
    "--hold-proctoring/--no-hold-proctoring",
    default=None,
    help="Send no score while a proctoring review is pending (default: do not hold).",
)
@click.option("--comment", default=None, help="Gradebook comment template ($percent, $level, ...).")
@click.option(
    "--create-line-item/--no-create-line-item",
    default=False,
    show_default=True,
    help="Where a launch names no gradebook column (the activity accepts no grades), find or "
    "create one of the tool's own and grade there.",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    metavar="ISSUER",
    help="Offer it only to this registered platform (every client id of the issuer);"
    " repeatable. Default: every registered platform.",
)
@click.option(
    "--configure-vendor/--no-configure-vendor",
    default=True,
    show_default=True,
    help="First set the test's notification and exit URLs at the vendor, where it has an"
    " API for it (Mettl); a refusal stores nothing.",
)
@json_option
def add_assessment(
    connection: str,
    test_id: str,
    title: str,
    proctoring: str | None,
    score_mode: str | None,
    max_points: str | None,
    hold_manual: bool | None,
    hold_proctoring: bool | None,
    comment: str | None,
    create_line_item: bool,
    platforms: tuple[str, ...],
    configure_vendor: bool,
    as_json: bool,
) -> None:
    """Create an assessment and print its id (use it as the LTI custom parameter assessment=ID).

    What was set at the vendor is printed on stderr.
    """
    chosen = {
        "score_mode": score_mode,
        "max_points": max_points,
        "hold_for_manual_grading": hold_manual,
        "hold_for_proctoring_review": hold_proctoring,
        "comment_template": comment,
    }
    with reported(AssessmentError), _setup_refusal(connection):
        info = _assessments().add(
            connection=connection,
            test_id=test_id,
            title=title,
            proctoring=proctoring,
            policy={k: v for k, v in chosen.items() if v is not None},
            create_line_item=create_line_item,
            platforms=platforms,
            configure_vendor=configure_vendor,
        )
    if configure_vendor:
        _echo_setup(info)
    if as_json:
        print_json(_assessment_json(info))
    else:
        click.echo(info.id)


@assessment_group.command("configure")
@click.argument("assessment_id", metavar="ID", type=int)
@json_option
def configure_assessment(assessment_id: int, as_json: bool) -> None:
    """Set the test's notification and exit URLs at the vendor again (Mettl), e.g. after
    `assessment add --no-configure-vendor` or a change of the tool's base URL."""
    with reported(AssessmentError):
        info = _assessments().configure(assessment_id)
    if as_json:
        print_json(_assessment_json(info))
    else:
        _echo_setup(info, err=False)


@contextlib.contextmanager
def _setup_refusal(connection: str) -> t.Iterator[None]:
    """A vendor refusal during ``assessment add`` as a CLI error that says nothing was
    stored and how to go on."""
    try:
        yield
    except VendorSetupError as exc:
        raise click.ClickException(
            f"{exc}. No assessment was added: run the command again once this is fixed, or"
            f" with --no-configure-vendor and set the URLs `vendor show {connection}` prints"
            " by hand."
        ) from exc


def _echo_setup(info: AssessmentInfo, *, err: bool = True) -> None:
    if info.vendor_setup is None:
        click.echo(
            f"nothing set at {info.kind} (no API for it): {SIGNAL_NOTES[info.kind]}", err=err
        )
    for line in info.vendor_setup or ():
        click.echo(f"set {line}", err=err)


@assessment_group.command("list")
@json_option
def list_assessments(as_json: bool) -> None:
    """List assessments and the platforms each is offered to."""
    items = _assessments().list()
    if as_json:
        print_json([_assessment_json(a) for a in items])
    else:
        print_table(
            ["ID", "TITLE", "VENDOR", "TEST", "PROCTORING", "GRADEBOOK COLUMN", "PLATFORMS"],
            [
                [
                    a.id,
                    a.title,
                    a.connection,
                    a.test_id,
                    f"{a.proctoring_connection}:{a.proctoring_exam_id}"
                    if a.proctoring_connection
                    else "-",
                    _column_text(a),
                    _platforms_text(a),
                ]
                for a in items
            ],
        )


@assessment_group.command("show")
@click.argument("assessment_id", metavar="ID", type=int)
@json_option
def show_assessment(assessment_id: int, as_json: bool) -> None:
    """Show an assessment with the platforms that may launch it."""
    with reported(AssessmentError):
        info = _assessments().get(assessment_id)
    _show_assessment(info, as_json)


@assessment_group.group("platform")
def assessment_platform_group() -> None:
    """The platforms an assessment is offered to (none: every registered platform)."""


@assessment_platform_group.command("add")
@click.argument("assessment_id", metavar="ID", type=int)
@platform_option
@client_id_option
@deployment_id_option
@json_option
def assessment_platform_add(
    assessment_id: int,
    issuer: str,
    client_id: str | None,
    deployment_id: str | None,
    as_json: bool,
) -> None:
    """Offer an assessment to a registered platform; the first one closes it to the others."""
    with reported(AssessmentError):
        info = _assessments().assign(assessment_id, issuer, client_id, deployment_id)
    _show_assessment(info, as_json)


@assessment_platform_group.command("remove")
@click.argument("assessment_id", metavar="ID", type=int)
@platform_option
@client_id_option
@deployment_id_option
@click.option(
    "--open-to-every-platform",
    is_flag=True,
    help="Needed to remove the last platform, which opens the assessment to every one.",
)
@json_option
def assessment_platform_remove(
    assessment_id: int,
    issuer: str,
    client_id: str | None,
    deployment_id: str | None,
    open_to_every_platform: bool,
    as_json: bool,
) -> None:
    """Stop offering an assessment to a platform (give it as `assessment show` lists it)."""
    with reported(AssessmentError):
        info = _assessments().unassign(
            assessment_id,
            issuer,
            client_id,
            deployment_id,
            open_to_every_platform=open_to_every_platform,
        )
    _show_assessment(info, as_json)
