"""Reading resolutions: single objects for the acting user (404 across organizations and for hidden drafts), the
manager's cabinet folders, «Мои поручения» and the tree of a card's resolutions."""

from edms.resolutions.queries.assignments import (
    MY_FILTER_LABELS,
    MY_FILTERS,
    AssignmentItem,
    AssignmentPage,
    my_assignment_counts,
    my_assignments,
)
from edms.resolutions.queries.folders import (
    FOLDERS,
    FOLDERS_BY_KEY,
    MAX_FOLDERS,
    Folder,
    FolderItem,
    FolderPage,
    folder_counts,
    folder_page,
)
from edms.resolutions.queries.getters import (
    extensions_to_decide,
    get_assignment,
    get_extension,
    get_report,
    get_report_file,
    get_resolution,
    reports_to_decide,
    require_visible,
    resolution_card,
)
from edms.resolutions.queries.tree import AssignmentNode, ResolutionNode, card_resolutions

__all__ = [
    'FOLDERS',
    'FOLDERS_BY_KEY',
    'MAX_FOLDERS',
    'MY_FILTERS',
    'MY_FILTER_LABELS',
    'AssignmentItem',
    'AssignmentNode',
    'AssignmentPage',
    'Folder',
    'FolderItem',
    'FolderPage',
    'ResolutionNode',
    'card_resolutions',
    'extensions_to_decide',
    'folder_counts',
    'folder_page',
    'get_assignment',
    'get_extension',
    'get_report',
    'get_report_file',
    'get_resolution',
    'my_assignment_counts',
    'my_assignments',
    'reports_to_decide',
    'require_visible',
    'resolution_card',
]
