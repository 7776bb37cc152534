"""AGS 2.0 media types and scopes (https://www.imsglobal.org/spec/lti-ags/v2p0#media-types-and-schemas)."""

from __future__ import annotations

from lti.claims import SCOPE_LINEITEM
from lti.claims import SCOPE_LINEITEM_READONLY
from lti.claims import SCOPE_SCORE

MEDIA_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_SCORE = "application/vnd.ims.lis.v1.score+json"

#: One token covers finding, creating and scoring line items, so a platform sees one token
#: request per token lifetime rather than one per kind of call.
DEFAULT_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_SCORE)
