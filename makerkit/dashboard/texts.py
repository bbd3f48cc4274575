"""Every word the dashboard shows, in Simplified Chinese and English (one table, read by the pages in
Python and, as JSON, by the page's script for what it writes live)."""

from __future__ import annotations

LANGS = ("zh", "en")

TEXTS: dict[str, tuple[str, str]] = {      # key -> (zh, en)
    "title": ("创客教室看板", "Makerspace dashboard"),
    "colon": ("：", ": "),
    "class_view": ("全班一览", "Class at a glance"),
    "teacher": ("教师", "Teacher"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "login_intro": ("请用本班的教师（teacher）或看板（dashboard）账号登录。",
                    "Log in with a teacher or dashboard login of the class."),
    "login_bad": ("用户名或密码不对，或者这个账号不能查看看板。",
                  "Wrong username or password, or this login may not open the dashboard."),
    "login_teacher_needed": ("教师控制需要教师（teacher）账号登录。", "The teacher's controls need a teacher login."),
    "online": ("在线", "online"),
    "offline": ("离线", "offline"),
    "unknown": ("未知", "unknown"),
    "stale": ("没有新读数", "no new readings"),
    "seconds_ago": ("秒前", "s ago"),
    "holder": ("使用者", "Held by"),
    "nobody": ("无人领用", "nobody"),
    "lesson": ("课程", "Lesson"),
    "checker": ("检查结果", "Last check"),
    "running": ("正在运行", "running"),
    "no_check": ("还没有检查", "not checked yet"),
    "outcome_passed": ("通过", "passed"),
    "outcome_failed": ("未通过", "not passed"),
    "outcome_crashed": ("程序出错", "the program crashed"),
    "outcome_not_checkable": ("无法检查", "could not be checked"),
    "outcome_finished": ("运行完毕", "finished"),
    "outcome_stopped": ("被停止", "stopped"),
    "mode_run": ("运行", "run"),
    "mode_check": ("检查", "check"),
    "finding_pass": ("通过", "passed"),
    "finding_fail": ("问题", "to fix"),
    "finding_skip": ("跳过", "skipped"),
    "fix": ("试试", "Try"),
    "no_kits": ("还没有套件发来消息。", "No kit has said anything yet."),
    "kits": ("套件", "kits"),
    "readings": ("读数", "Readings"),
    "history": ("历史读数", "Readings over time"),
    "span_lesson": ("本节课（最近 60 分钟）", "This lesson (last 60 minutes)"),
    "span_term": ("本学期", "This term"),
    "no_readings": ("这段时间没有读数。", "No readings in this span."),
    "lesson_results": ("课程结果", "Lesson results"),
    "no_runs": ("还没有课程记录。", "No lesson runs yet."),
    "robot_runs": ("机器人运行图", "Robot runs"),
    "robot_seconds": ("行驶时间", "Driving time"),
    "robot_contacts": ("碰撞", "Contacts"),
    "robot_arena": ("场地", "Arena"),
    "robot_marks": ("图中编号", "Numbers on the picture"),
    "robot_record": ("运行记录（JSON）", "Run record (JSON)"),
    "student_page": ("学生", "Student"),
    "group_page": ("小组", "Group"),
    "holds_kits": ("正在使用的套件", "Kits held now"),
    "no_kit": ("现在没有领用套件。", "Holds no kit now."),
    "when": ("时间", "When"),
    "outcome": ("结果", "Outcome"),
    "mode": ("方式", "Mode"),
    "findings": ("检查意见", "Findings"),
    "student": ("学生", "Student"),
    "stop_all": ("全部停止", "Stop all"),
    "say": ("发送消息", "Say"),
    "say_placeholder": ("要显示在每个套件上的话（最多 200 字）", "A message for every kit (at most 200 characters)"),
    "sending": ("正在发送……", "Sending…"),
    "answers": ("套件应答", "Answers of the kits"),
    "obeyed": ("已执行", "obeyed"),
    "refused": ("拒绝", "refused"),
    "no answer": ("无应答", "no answer"),
    "acked": ("已应答", "acknowledged"),
    "stopped": ("已停止", "stopped"),
    "shown": ("已显示", "shown"),
    "passed": ("已转给程序", "passed to the program"),
    "never online": ("从未上线", "never online"),
    "via bridge": ("经由桥接程序", "via the bridge"),
    "outputs_off": ("个输出已关闭", "outputs off"),
    "names_on": ("显示姓名", "Show names"),
    "names_off": ("隐藏姓名", "Hide names"),
    "names_state_on": ("正在显示学生姓名。", "Students' names are shown."),
    "names_state_off": ("只显示学生编号（化名）。", "Only students' pseudonymous ids are shown."),
    "gaps": ("未补齐的缺口", "Open gaps"),
    "no_gaps": ("没有未补齐的缺口。", "No open gaps."),
    "quarantine": ("隔离的消息", "Quarantined messages"),
    "no_quarantine": ("没有被隔离的消息。", "No quarantined messages."),
    "reason": ("原因", "Reason"),
    "reason_bad_topic": ("主题不符合数据约定", "the topic does not follow the contract"),
    "reason_too_large": ("消息太大", "the message is too large"),
    "reason_bad_utf8": ("不是 UTF-8 文字", "not UTF-8 text"),
    "reason_bad_json": ("不是有效的 JSON", "not valid JSON"),
    "reason_not_finite": ("读数不是有限的数（NaN 或无穷大）", "a reading is not a finite number (NaN or infinity)"),
    "reason_bad_schema": ("内容不符合数据约定", "the content does not follow the contract's schema"),
    "reason_bad_time": ("时间的格式不对", "the time is not in the contract's format"),
    "topic": ("主题", "Topic"),
    "seqs": ("序号", "Numbers"),
    "requests": ("请求次数", "Requests"),
    "kit": ("套件", "Kit"),
    "result": ("结果", "Result"),
    "done": ("做了什么", "Done"),
    "detail": ("说明", "Detail"),
    "time": ("用时", "Time"),
    "live_lost": ("与看板服务器的连接断开，正在重连……", "Lost the dashboard server; reconnecting…"),
    "broker_down": ("看板连不上 MQTT 服务器，正在重试……", "The dashboard cannot reach the MQTT broker; retrying…"),
    "control_failed": ("发送失败", "Sending failed"),
    "back": ("返回全班", "Back to the class"),
}


def text(key: str, lang: str) -> str:
    zh, en = TEXTS[key]
    return zh if lang == "zh" else en


def table(lang: str) -> dict[str, str]:
    """Every text in one language (what the page's script receives)."""
    return {key: (zh if lang == "zh" else en) for key, (zh, en) in TEXTS.items()}


def pick_lang(query: str | None, cookie: str | None, accept: str | None) -> str:
    """``?lang=`` first, then the cookie the switch set, then the browser's languages; Chinese by default."""
    for choice in (query, cookie):
        if choice in LANGS:
            return choice
    for part in (accept or "").split(","):
        tag = part.strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"
