"""The self-contained HTML report: compute once (:func:`build_report_data`), render any time
(:func:`render_html`) from the stored data, without recomputing."""

from parley.report.build import build_and_keep, build_report_data
from parley.report.render import render_html, write_report
from parley.tasks.report import ReportOptions

__all__ = ["ReportOptions", "build_and_keep", "build_report_data", "render_html", "write_report"]
