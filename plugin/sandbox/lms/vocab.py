"""Names fixed by the LTI 1.3 / LTI Advantage specifications.

Claim URIs follow LTI Core 1.3 (https://www.imsglobal.org/spec/lti/v1p3/), AGS 2.0
(https://www.imsglobal.org/spec/lti-ags/v2p0/), NRPS 2.0
(https://www.imsglobal.org/spec/lti-nrps/v2p0/) and Deep Linking 2.0
(https://www.imsglobal.org/spec/lti-dl/v2p0/).
"""

from __future__ import annotations

LTI_VERSION = "1.3.0"
PRODUCT_FAMILY_CODE = "assessment-bridge-sandbox"
PLATFORM_VERSION = "1.0"
PLATFORM_NAME = "Assessment Bridge Sandbox LMS"

_LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE = _LTI + "message_type"
CLAIM_VERSION = _LTI + "version"
CLAIM_DEPLOYMENT_ID = _LTI + "deployment_id"
CLAIM_TARGET_LINK_URI = _LTI + "target_link_uri"
CLAIM_RESOURCE_LINK = _LTI + "resource_link"
CLAIM_ROLES = _LTI + "roles"
CLAIM_CONTEXT = _LTI + "context"
CLAIM_TOOL_PLATFORM = _LTI + "tool_platform"
CLAIM_LAUNCH_PRESENTATION = _LTI + "launch_presentation"
CLAIM_CUSTOM = _LTI + "custom"
CLAIM_AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CLAIM_DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM_DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
CLAIM_DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
CLAIM_DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
CLAIM_DL_ERRORMSG = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

MESSAGE_RESOURCE_LINK = "LtiResourceLinkRequest"
MESSAGE_DEEP_LINKING = "LtiDeepLinkingRequest"
MESSAGE_DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LAUNCH_MESSAGE_TYPES = (MESSAGE_RESOURCE_LINK, MESSAGE_DEEP_LINKING)

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)
SERVICE_SCOPES = (*AGS_SCOPES, SCOPE_NRPS)

MEDIA_LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_SCORE = "application/vnd.ims.lis.v1.score+json"
MEDIA_RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
MEDIA_MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

ACTIVITY_PROGRESS = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING_PROGRESS = frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"})

ROLE_MEMBERSHIP_PREFIX = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
CONTEXT_TYPE_COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def full_role(role: str) -> str:
    """Expand a short context role (``"Learner"``) to its LIS membership URI.

    :param role: a role URI or a short membership role name.
    :return: the role URI.
    """
    return role if "://" in role else ROLE_MEMBERSHIP_PREFIX + role


def lti_claim(name: str) -> str:
    """Expand a short LTI core claim name (``"version"``) to its URI; URIs pass through.

    :param name: a claim name or URI.
    :return: the claim key as it appears in an id_token.
    """
    return name if "://" in name else _LTI + name
