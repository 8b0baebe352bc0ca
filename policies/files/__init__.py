"""The policy file format (docs/domain.md §1): read, validate, load idempotently, export.

A file is YAML (or the same structure in JSON). Validation collects every
problem with the path of the field that has it ("policy.limits[1].channel:
…"), and loading happens in one transaction, so a bad file changes nothing.
Loading an unchanged file writes nothing, so history only shows real changes.
"""

from .exporting import export_policy
from .loading import LoadResult, database_problems, load_policy_document, load_policy_file
from .reading import (
    DEFAULT_ONE_TIME_DAYS,
    PolicyFileError,
    parse_policy_text,
    read_policy_file,
    validate_policy_document,
)

__all__ = [
    "DEFAULT_ONE_TIME_DAYS",
    "LoadResult",
    "PolicyFileError",
    "database_problems",
    "export_policy",
    "load_policy_document",
    "load_policy_file",
    "parse_policy_text",
    "read_policy_file",
    "validate_policy_document",
]
