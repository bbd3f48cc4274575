"""The class behind the telemetry: roster import, the class overview and kit hand-overs.

    result = import_roster(store, "7a", "roster.csv")     # name[,id][,group]; UTF-8 with or without BOM
    overview = class_overview(store, "7a")                # students, groups, kits, who holds what
"""

from .importer import ImportResult, RosterRow, import_roster, read_roster
from .overview import class_overview, resolve_kit_class

__all__ = ["ImportResult", "RosterRow", "import_roster", "read_roster", "class_overview", "resolve_kit_class"]
