"""The makerspace dashboard (``makerkit dashboard``): the class at a glance in the browser, one kit's
history, the teacher's controls; served by Starlette on uvicorn, live by server-sent events from one
MQTT subscription. See docs/DASHBOARD.md."""

from .server import DashboardServer, preferred_listen, run_dashboard

__all__ = ["DashboardServer", "preferred_listen", "run_dashboard"]
