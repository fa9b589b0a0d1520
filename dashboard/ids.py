"""Every component id of the dashboard, in one place.

Pages and tests import these names instead of repeating string literals, so a renamed id is a
one-line change and a typo is an ``AttributeError`` rather than a silently dead callback.
"""

from __future__ import annotations

# --- the app shell ----------------------------------------------------------------------------
NAVBAR = "nav-bar"
ERROR_ALERT = "app-error-alert"

# --- "/" overview -----------------------------------------------------------------------------
OV_DATE = "overview-date"
OV_PROGRAM = "overview-program"
OV_KPIS = "overview-kpis"
OV_KPI_PARTNERS = "overview-kpi-partners"
OV_KPI_COUNTRIES = "overview-kpi-countries"
OV_KPI_REGIONS = "overview-kpi-regions"
OV_KPI_SOUTH = "overview-kpi-global-south"
OV_KPI_SECTORS = "overview-kpi-sectors"
OV_REACH = "overview-reach"
OV_MAP = "overview-map"
OV_SECTORS = "overview-sectors"
OV_REGIONS = "overview-regions"
OV_GAPS = "overview-gaps"
OV_SCORECARD = "overview-scorecard"
OV_SCORECARD_FIG = "overview-scorecard-figure"
OV_SUMMARY = "overview-summary"

# --- "/network" -------------------------------------------------------------------------------
NET_GRAPH = "network-graph"
NET_MODE = "network-mode"
NET_COLOR = "network-color"
NET_SIZE = "network-size"
NET_GROUP = "network-group"
NET_SECTOR = "network-sector"
NET_REGION = "network-region"
NET_COMMITTEE = "network-committee"
NET_EVENT = "network-event"
NET_PROGRAM = "network-program"
NET_DATES = "network-dates"
NET_SEARCH = "network-search"
NET_NOTE = "network-note"
NET_DETAILS = "network-details"
NET_FOCUS = "network-focus"
NET_BACK = "network-back"
NET_LEGEND = "network-legend"
NET_SUMMARY = "network-summary"

# --- "/representation" ------------------------------------------------------------------------
REP_DATE = "representation-date"
REP_SINCE = "representation-since"
REP_KIND = "representation-kind"
REP_PROGRAM = "representation-program"
REP_DIMENSION = "representation-dimension"
REP_GAPS_ONLY = "representation-gaps-only"
REP_TABLE = "representation-table"
REP_GAP_TABLE = "representation-gap-table"
REP_TARGETS = "representation-targets"
REP_CSV = "representation-csv"
REP_XLSX = "representation-xlsx"
REP_DOWNLOAD = "representation-download"
REP_NOTE = "representation-note"
