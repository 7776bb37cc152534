"""A strict LTI 1.3 / LTI Advantage platform served over real HTTP for tests and the demo.

``serve_lms()`` starts one on a free loopback port; :class:`SandboxLms` drives its control API.

Profiles
--------
Real LMSs depart from the specifications in ways that lose grades, so the platform can behave
like one of them. The profile is chosen when the platform is made,
``serve_lms(profile="moodle")`` or ``create_lms_app(profile="canvas")`` (an unknown name is a
``ValueError``), and read back with ``SandboxLms.profile()`` (``GET /sandbox/profile`` shows
every switch). The switches live in ``profiles.py``.

``strict`` (the default) follows the specifications: a score must be strictly later than the
last one, to the microsecond; line item URLs have no query string; ids are opaque.

``moodle`` reproduces Moodle 4.5:

- A score is refused (409, "Refusing score with an earlier timestamp for item ... and user
  ...") unless its timestamp, cut to the second, is later than the stored one's second; an
  equal second is refused. A score without ``scoreGiven`` is held at the time it arrived, not
  at the timestamp sent, so a following score stamped before that arrival is refused.
- The ``lti_message_hint`` works once: a second login with it ends on an "Invalid request"
  error page (400 HTML), as Moodle deletes the launch id from the session on first use.
- id_tokens expire 60 seconds after they are issued.
- Line item URLs carry the tool type: ``.../lineitems/<id>/lineitem?type_id=<n>`` (and the
  container ``.../lineitems?type_id=<n>``); the scores URL is ``.../lineitem/scores?type_id=<n>``.
  A request without the caller's ``type_id``, or a scores URL made by appending ``/scores``
  after the query string, finds no handler: 404. The gradebook view names line items without
  the query.
- ``sub`` is Moodle's numeric user id ("2", "3", ...); the legacy ``lis`` claim carries an
  empty ``person_sourcedid`` and the Basic Outcomes claim a ``lis_result_sourcedid`` and
  ``lis_outcome_service_url`` (a service the sandbox does not serve); deployment ids (Moodle's
  tool type ids) are "1", "2", ...; client ids are 15 random letters and digits.
- A dynamic registration makes a new client under the same issuer, pending until an
  administrator activates it (``SandboxLms.activate_tool``); launching it before ends on an
  error page naming the check ``tool``.
- Creating line items through AGS is allowed (Moodle makes a manual grade item), and the
  gradebook view says which tool created each one (``created_by_tool``; ``None`` for columns
  the teacher made), so a test can show no column appeared that the teacher did not ask for.

``canvas`` reproduces Canvas's documented behaviour:

- The login initiation carries ``lti_deployment_id`` and ``client_id`` (as every profile does);
  client ids are developer key ids, ``10000000000001``, ``10000000000002``, ...
- Every line item is coupled to an assignment, listed in the gradebook view's ``assignments``
  with the tool that created it; a line item created with the
  ``https://canvas.instructure.com/lti/submission_type`` extension keeps and shows it.
- A score may carry the ``https://canvas.instructure.com/lti/submission`` extension
  (``new_submission``, ``submitted_at``, ``submission_type``, ...); it is checked (an
  extension that is not an object, a bad member or a ``submitted_at`` more than a minute
  ahead is a 400) and stored with the score.
- A score is refused (400, "Provided timestamp of ... before last updated timestamp of ...")
  when its timestamp is before the time the result was last updated on the platform's clock;
  an equal time is accepted. Canvas compares with that update time, not with the timestamp the
  tool sent before, so a score stamped with an old time is refused after any update.
"""

from __future__ import annotations

from plugin.sandbox.lms.app import create_lms_app
from plugin.sandbox.lms.app import serve_lms
from plugin.sandbox.lms.client import SandboxCourse
from plugin.sandbox.lms.client import SandboxLms
from plugin.sandbox.lms.client import SandboxLmsError
from plugin.sandbox.lms.context import SandboxLmsExtension
from plugin.sandbox.lms.tamper import TAMPER_MODES

__all__ = [
    "TAMPER_MODES",
    "SandboxCourse",
    "SandboxLms",
    "SandboxLmsError",
    "SandboxLmsExtension",
    "create_lms_app",
    "serve_lms",
]
