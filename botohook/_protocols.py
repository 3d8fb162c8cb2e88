"""A refusal in any AWS service's own wire protocol, for the services botohook does not simulate: what reaches the
HTTP face from a client pointed at it (``AWS_ENDPOINT_URL`` sends every service there) gets an error its SDK parses
into a code and a message, never an unreadable document.

The protocol is the one botocore's model of the service names (``query``, ``ec2``, ``json``, ``rest-json``,
``rest-xml``); a service botocore does not know gets EC2's error document.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Dict, Tuple

from botocore.exceptions import UnknownServiceError
from botocore.loaders import create_loader

from ._query_xml import DECLARATION, error_xml, query_error_xml, xml_text


@lru_cache(maxsize=64)
def protocol(service: str) -> str:
    """The wire protocol of ``service`` per botocore's model; ``ec2`` for a service botocore does not know."""
    try:
        model = create_loader().load_service_model(service, "service-2")
    except (UnknownServiceError, ValueError):
        return "ec2"
    return str(model["metadata"]["protocol"])


def refusal(service: str, code: str, message: str, request_id: str) -> Tuple[str, Dict[str, str], bytes]:
    """``(content type, extra headers, body)`` of an error with ``code`` and ``message`` as ``service`` sends it."""
    kind = protocol(service)
    if kind == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return "application/x-amz-json-1.1", {"x-amzn-ErrorType": code}, body
    if kind == "rest-json":
        body = json.dumps({"code": code, "message": message}).encode()
        return "application/json", {"x-amzn-ErrorType": f"{code}:"}, body
    if kind == "rest-xml":  # the S3 form, which botocore reads for every REST-XML service
        xml = f"<Error><Code>{xml_text(code)}</Code><Message>{xml_text(message)}</Message>"
        xml += f"<RequestId>{request_id}</RequestId></Error>"
        return "application/xml", {}, (DECLARATION + xml).encode()
    if kind == "query":
        return "text/xml", {}, query_error_xml(code, message, request_id)
    return "text/xml;charset=UTF-8", {}, error_xml(code, message, request_id)
