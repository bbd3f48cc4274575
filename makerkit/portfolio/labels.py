"""The words of the exported pages and records, in Simplified Chinese and English."""

from __future__ import annotations

_WORDS = {
    "portfolio": ("Maker portfolio", "创客成长档案"),
    "parent_copy": ("Read-only copy for parents", "家长只读版"),
    "parent_note": ("This copy is for reading and printing; it cannot change the portfolio.",
                    "本页仅供查看和打印，不能修改档案内容。"),
    "student": ("Student", "学生"), "class": ("Class", "班级"), "group": ("Group", "小组"),
    "term": ("Term", "学期"), "all_terms": ("All terms", "全部学期"), "generated": ("Made", "生成时间"),
    "credits": ("Science credits", "科学学分"), "lessons_credits": ("from lessons", "课程"),
    "projects_credits": ("from projects", "项目"), "total": ("total", "合计"),
    "charts": ("Readings from my kit", "我的套件数据"), "readings": ("readings", "条读数"),
    "no_readings": ("No readings yet.", "还没有数据。"),
    "lessons": ("Lesson results", "课程记录"), "lesson": ("Lesson", "课程"), "when": ("When", "时间"),
    "kit": ("Kit", "套件"), "outcome": ("Result", "结果"), "findings": ("What the checker found", "检查结果"),
    "code": ("My code", "我的代码"), "no_lessons": ("No lesson checked yet.", "还没有检查过课程。"),
    "projects": ("Projects", "项目"), "topic": ("Topic", "主题"), "dates": ("Dates", "日期"),
    "members": ("Team", "成员"), "no_projects": ("No project yet.", "还没有项目。"),
    "links": ("Data and runs used", "使用的数据和课程记录"), "attachments": ("Files", "附件"),
    "evaluation": ("Evaluation", "评价"), "summary": ("Evaluation summary", "评价汇总"),
    "dimension": ("Dimension", "维度"), "combined": ("combined", "综合"), "level": ("Level", "等级"),
    "comment": ("Comment", "评语"), "by": ("By", "评价人"), "no_evaluations": ("No evaluation yet.", "还没有评价。"),
    "criteria": ("Criteria", "评价要点"), "events": ("Lesson events from the kit", "套件记录的课堂事件"),
    "showcase": ("Class showcase", "班级作品展示"), "showcase_none": ("No project selected yet.", "还没有选出展示作品。"),
    "teacher": ("teacher", "教师评价"), "self": ("self", "自评"), "peer": ("peers", "同伴互评"),
    "individual": ("Individual performance", "个人表现"), "group_dim": ("Group cooperation", "小组合作"),
    "maker": ("Maker results", "创客成果"),
    "research": ("Research", "调研分析"), "plan": ("Plan", "制订方案"), "make": ("Make", "动手制造"),
    "reflect": ("Reflect", "评估反思"),
    "passed": ("passed", "通过"), "failed": ("not yet", "未通过"), "crashed": ("program error", "程序出错"),
    "not_checkable": ("not checkable", "无法检查"), "finished": ("ran", "已运行"), "stopped": ("stopped", "已停止"),
    "link_telemetry": ("readings", "套件数据"), "link_lesson_run": ("lesson run", "课程记录"),
    "in_progress": ("in progress", "进行中"), "stage_missing": ("not recorded yet", "尚未记录"),
}


def word(key: str, lang: str) -> str:
    en, zh = _WORDS[key]
    return zh if lang == "zh" else en


def dim_word(dim: str, lang: str) -> str:
    return word("group_dim" if dim == "group" else dim, lang)


def lang_code(lang: str | None) -> str:
    """``zh-CN`` / ``zh`` -> ``zh``; ``en`` -> ``en`` (what the exports accept)."""
    return "zh" if (lang or "zh").lower().startswith("zh") else "en"
