"""EC2's Query protocol on the wire: a request as form fields, an answer or an error as EC2's XML (and, for the STS
and IAM calls botohook answers, as the plain Query protocol's XML: a ``Result`` element, ``ErrorResponse``).

One generic writer walks botocore's output shape of the operation (no template per operation), inverting what
botocore's parsers read: members under their ``locationName``, lists as ``<name><item>...</item></name>`` (``member``
where the shape names no item), booleans as ``true``/``false``, timestamps in ISO 8601 with milliseconds, blobs in
base64.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Tuple
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from ._shapes import service_model, validate
from .ec2.errors import Ec2Error
from .errors import SIMULATED_DOCS, ResponseValidationError, UnknownRegionError, UnsimulatedOperationError
from .simulator import Simulator

XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # XML 1.0 cannot carry these


def xml_text(value: str) -> str:
    """``value`` as XML character data; characters XML 1.0 cannot carry, even escaped, become U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", value))


def answer(
    simulator: Simulator,
    action: str,
    region: str,
    params: Mapping[str, object],
    request_id: str,
    service: str = "ec2",
) -> Tuple[int, bytes, str]:
    """``(HTTP status, XML, error code or "")``: the simulator's answer to one Query request, as the service sends
    it (``service``: ``ec2``, or ``sts``/``iam``)."""
    model = service_model(service)
    failed = error_xml if service == "ec2" else query_error_xml
    try:
        if action not in model.operation_names:
            raise Ec2Error("InvalidAction", f"The action {action} is not valid for this web service.")
        operation = model.operation_model(action)
        parsed = simulator.answer(service, action, region, params)
        if simulator.strict:
            validate(parsed, operation)
        if service != "ec2":
            return 200, _query_response_xml(action, parsed, operation.output_shape, request_id, model), ""
        return 200, response_xml(action, parsed, operation.output_shape, request_id), ""
    except Ec2Error as error:
        return error.status, failed(error.code, error.message, request_id), error.code
    except UnsimulatedOperationError as error:
        message = f"{error.detail}. The simulated operations are listed in {SIMULATED_DOCS}."
        return 400, failed("UnsupportedOperation", message, request_id), "UnsupportedOperation"
    except UnknownRegionError as error:  # what an AWS endpoint answers a request signed for a region it does not know
        return error.status, failed(error.code, error.message, request_id), error.code
    except ResponseValidationError as error:  # strict mode: a botohook bug, reported to the caller
        return 500, failed("InternalError", str(error), request_id), "InternalError"


def request_params(body: str) -> Dict[str, str]:
    """The flat parameters of a form-encoded Query request (``Name.1=...``); ValueError if it is not one."""
    return dict(parse_qsl(body, keep_blank_values=True, strict_parsing=bool(body)))


def response_xml(operation: str, parsed: Dict[str, Any], shape: Any, request_id: str) -> bytes:
    """EC2's XML answer to ``operation``: ``parsed`` (botocore's parsed form) written along its output ``shape``."""
    out = [f'{DECLARATION}<{operation}Response xmlns="{XMLNS}"><requestId>{request_id}</requestId>']
    if shape is not None:
        _members(out, shape, parsed)
    out.append(f"</{operation}Response>")
    return "".join(out).encode()


def _query_response_xml(operation: str, parsed: Dict[str, Any], shape: Any, request_id: str, model: Any) -> bytes:
    """The plain Query protocol's answer (STS, IAM): the output under ``<operation>Result``."""
    out = [f'{DECLARATION}<{operation}Response xmlns="{model.metadata["xmlNamespace"]}"><{operation}Result>']
    if shape is not None:
        _members(out, shape, parsed)
    out.append(f"</{operation}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>")
    out.append(f"</{operation}Response>")
    return "".join(out).encode()


def query_error_xml(code: str, message: str, request_id: str) -> bytes:
    return (
        f"{DECLARATION}<ErrorResponse><Error><Type>Sender</Type><Code>{xml_text(code)}</Code>"
        f"<Message>{xml_text(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()


def error_xml(code: str, message: str, request_id: str) -> bytes:
    """EC2's error document."""
    return (
        f"{DECLARATION}<Response><Errors><Error><Code>{xml_text(code)}</Code><Message>{xml_text(message)}</Message>"
        f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
    ).encode()


def _members(out: List[str], shape: Any, value: Dict[str, Any]) -> None:
    for member_name, member_shape in shape.members.items():
        member = value.get(member_name)
        if member is not None:
            _write(out, _element_name(member_shape, member_name), member_shape, member)


def _element_name(shape: Any, member_name: str) -> str:
    """The element a member is written as: what botocore's ``_member_key_name`` looks for."""
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        flattened_name = shape.member.serialization.get("name")
        if flattened_name is not None:
            return str(flattened_name)
    return str(shape.serialization.get("name", member_name))


def _write(out: List[str], name: str, shape: Any, value: Any) -> None:
    kind = shape.type_name
    if kind == "structure":
        out.append(f"<{name}>")
        _members(out, shape, value)
        out.append(f"</{name}>")
    elif kind == "list":
        item = shape.member.serialization.get("name", "member")
        if shape.serialization.get("flattened"):
            for entry in value:
                _write(out, name, shape.member, entry)
            return
        out.append(f"<{name}>")
        for entry in value:
            _write(out, item, shape.member, entry)
        out.append(f"</{name}>")
    elif kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out.append(f"<{name}>")
        for key, entry in value.items():
            out.append("<entry>")
            _write(out, key_name, shape.key, key)
            _write(out, value_name, shape.value, entry)
            out.append("</entry>")
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_scalar(kind, value)}</{name}>")


def _scalar(kind: str, value: Any) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        moment = value.astimezone(timezone.utc) if isinstance(value, datetime) else value
        if isinstance(moment, datetime):
            return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        return xml_text(str(value))
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode()
    return xml_text(str(value))
