"""The client registration the tool posts in dynamic registration, and the static configuration."""

from __future__ import annotations

from lti import claims
from lti.tool_description import TOOL_CONFIGURATION
from lti.tool_description import ToolUrls
from lti.tool_description import registration_request
from lti.tool_description import static_configuration


def test_the_client_name_carries_the_tool_host() -> None:
    request = registration_request(ToolUrls("https://bridge.example.edu/"), claims.TOOL_SCOPES)
    other = registration_request(ToolUrls("https://bridge2.example.edu"), claims.TOOL_SCOPES)

    assert request["client_name"] == "Assessment Bridge (bridge.example.edu)"
    assert other["client_name"] == "Assessment Bridge (bridge2.example.edu)"


def test_a_port_is_part_of_the_host_in_the_client_name() -> None:
    request = registration_request(ToolUrls("http://127.0.0.1:8080"), claims.TOOL_SCOPES)

    assert request["client_name"] == "Assessment Bridge (127.0.0.1:8080)"


def test_only_resource_link_launches_are_offered() -> None:
    urls = ToolUrls("https://bridge.example.edu")
    request = registration_request(urls, claims.TOOL_SCOPES)
    static = static_configuration(urls)

    messages = request[TOOL_CONFIGURATION]["messages"]
    assert messages == [{"type": "LtiResourceLinkRequest", "target_link_uri": urls.launch}]
    assert static["messages"] == ["LtiResourceLinkRequest"]
    assert "deep_linking_url" not in static
