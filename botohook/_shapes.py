"""botocore's EC2 model, shared by the transports: output shapes to validate answers (strict mode) and to write
them as EC2's XML.

Loaded once per process, on first use.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Dict

from botocore.exceptions import ParamValidationError
from botocore.loaders import create_loader
from botocore.model import ServiceModel
from botocore.validate import validate_parameters

from .errors import ResponseValidationError


@cache
def ec2_model() -> Any:
    """botocore's model of the EC2 API (the same data its clients use)."""
    return ServiceModel(create_loader().load_service_model("ec2", "service-2"), "ec2")


def validate(parsed: Dict[str, Any], model: Any) -> None:
    """Raise :class:`ResponseValidationError` unless ``parsed`` fits the output shape of operation ``model``."""
    shape = model.output_shape
    if shape is None:
        if parsed:
            raise ResponseValidationError(f"{model.name} has no output shape, but botohook answered {parsed!r}")
        return
    try:
        validate_parameters(parsed, shape)
    except ParamValidationError as error:
        raise ResponseValidationError(
            f"botohook's answer to {model.name} does not match botocore's output shape: {error}"
        ) from None
