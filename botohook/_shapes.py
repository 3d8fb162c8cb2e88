"""botocore's models (EC2's, and STS's and IAM's for their who-am-I calls), shared by the transports: output shapes
to validate answers (strict mode) and to write them as XML.

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
def service_model(service: str = "ec2") -> Any:
    """botocore's model of a service's API (the same data its clients use): EC2, or STS and IAM."""
    return ServiceModel(create_loader().load_service_model(service, "service-2"), service)


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
