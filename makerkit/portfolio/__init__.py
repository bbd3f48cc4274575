"""The student portfolio: projects through the design cycle, lesson results, evaluations on three
dimensions (个人表现 individual, 小组合作 group, 创客成果 maker), science credits per term, exports
(HTML page, parents' copy, class showcase, the comprehensive-quality record as CSV/JSON) and the data
rules for minors (erase, prune, export everything, audit log).

    pid = create_project(store, group="g-robots", class_id="7a", title="Plant watering robot")
    add_stage_entry(store, project=pid, stage="research", text="...", attach=["photo.jpg"])
    evaluate(store, student="s-7k3m9q", dimension="maker", by="teacher", level=4)
    export_portfolio(store, student="s-7k3m9q", fmt="html", out="s-7k3m9q.html", lang="zh-CN")
"""

from .credits import credits_by_term
from .data_rules import erase_student, prune
from .evaluations import evaluate, parse_by, summarise
from .exports import FORMATS, export_everything, export_portfolio, export_showcase
from .gather import gather
from .lesson_results import record_lesson_result
from .projects import (add_stage_entry, create_project, finish_project, link_lesson_run, link_telemetry,
                       set_showcase)
from .rubric import DEFAULT_RUBRIC, DIMENSIONS, SIDES, Rubric, load_rubric
from .terms import iso_time, term_of, term_range

__all__ = ["DEFAULT_RUBRIC", "DIMENSIONS", "FORMATS", "SIDES", "Rubric", "add_stage_entry", "create_project",
           "credits_by_term", "erase_student", "evaluate", "export_everything", "export_portfolio", "export_showcase",
           "finish_project", "gather", "iso_time", "link_lesson_run", "link_telemetry", "load_rubric", "parse_by",
           "prune", "record_lesson_result", "set_showcase", "summarise", "term_of", "term_range"]
