"""代表名册导入: read the congress office's roster (XLSX or CSV), plan it, then apply it.

:func:`plan_import` reads every row and says what would happen to it (create, update,
unchanged, error) without changing anything. :func:`apply_plan` writes a plan in one flush;
it refuses a plan with any error, file-level or on a row, so a roster is never half imported:
the office fixes the file and uploads it again.

Matching a row to a delegate already on file, in this order (retired delegates are ignored):

1. the phone number, among delegates with the same name (a shared office landline is fine);
2. the name within the delegation, when exactly one delegate has it;
3. a mobile number held by exactly one delegate: the row renames that delegate;
4. otherwise the row creates a delegate.

A blank optional cell (gender, work unit, phone, station) never erases what is on file: the
import adds and corrects, it does not clear. Unknown stations are created with the delegates.

The parts: :mod:`.files` reads the file and refuses unsafe ones, :mod:`.words` knows the
column names, :mod:`.values` and :mod:`.fields` read and check the cells, :mod:`.registry`
holds what is on file, :mod:`.planning` plans the rows, :mod:`.apply` writes a plan and
:mod:`.template` makes the blank roster to download.
"""

from __future__ import annotations

from .apply import apply_plan
from .fields import JOB_TITLE_MAX, NAME_MAX, STATION_NAME_MAX, WORK_UNIT_MAX
from .files import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    UNZIPPED_MAX_BYTES,
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    cell_text,
    check_zip,
    decode_csv,
    size_text,
    text_of_column,
)
from .plan import (
    FieldChange,
    NewStation,
    RosterCounts,
    RosterPlan,
    RosterPlanHasErrors,
    RosterRow,
    RowStatus,
)
from .planning import plan_import
from .template import template_workbook
from .values import (
    clean_name,
    is_mobile,
    is_valid_phone,
    normalize_phone,
    parse_delegate_type,
    parse_gender,
    parse_level,
    station_kind_for,
)
from .words import (
    FIELD_LABELS,
    HEADER_SYNONYMS,
    REQUIRED_FIELDS,
    TEMPLATE_FIELDS,
    header_field,
    text_key,
    text_keys,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "FIELD_LABELS",
    "HEADER_SCAN_ROWS",
    "HEADER_SYNONYMS",
    "JOB_TITLE_MAX",
    "MAX_COLUMNS",
    "NAME_MAX",
    "REQUIRED_FIELDS",
    "STATION_NAME_MAX",
    "TEMPLATE_FIELDS",
    "UNZIPPED_MAX_BYTES",
    "WORK_UNIT_MAX",
    "ZIP_MAX_MEMBERS",
    "ZIP_MAX_RATIO",
    "FieldChange",
    "NewStation",
    "RosterCounts",
    "RosterPlan",
    "RosterPlanHasErrors",
    "RosterRow",
    "RowStatus",
    "apply_plan",
    "cell_text",
    "check_zip",
    "clean_name",
    "decode_csv",
    "header_field",
    "is_mobile",
    "is_valid_phone",
    "normalize_phone",
    "parse_delegate_type",
    "parse_gender",
    "parse_level",
    "plan_import",
    "size_text",
    "station_kind_for",
    "template_workbook",
    "text_key",
    "text_keys",
    "text_of_column",
]
