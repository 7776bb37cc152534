"""The LTI 1.1 leftovers Moodle still puts in a resource-link launch.

Moodle sends the ``lis`` claim with the user's and course's SIS ids (empty when unset, as on
most sites) and the Basic Outcomes claim naming a result sourcedid and the LTI 1.1 outcome
service. The sandbox does not serve that service: a tool must grade through AGS.
"""

from __future__ import annotations

import hashlib
import json
import typing as t

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import PendingLaunch
    from plugin.sandbox.lms.models import ResourceLink
    from plugin.sandbox.lms.models import User

CLAIM_LIS = "https://purl.imsglobal.org/spec/lti/claim/lis"
CLAIM_BASIC_OUTCOME = "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome"
OUTCOME_SERVICE_PATH = "/mod/lti/service.php"


def legacy_claims(link: ResourceLink, user: User, launch: PendingLaunch, issuer: str) -> JsonDict:
    """Return the ``lis`` and ``basicoutcome`` claims of a resource-link launch."""
    data = {"instanceid": link.id, "userid": user.id, "typeid": launch.deployment_id}
    signed = json.dumps(data, sort_keys=True)
    sourcedid = {"data": data, "hash": hashlib.sha256(signed.encode()).hexdigest()}
    return {
        CLAIM_LIS: {"person_sourcedid": "", "course_section_sourcedid": ""},
        CLAIM_BASIC_OUTCOME: {
            "lis_result_sourcedid": json.dumps(sourcedid),
            "lis_outcome_service_url": issuer + OUTCOME_SERVICE_PATH,
        },
    }
