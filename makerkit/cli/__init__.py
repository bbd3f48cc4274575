"""The ``makerkit`` command line: a thin layer over the library.

Each command lives in its own module under ``makerkit/cli/`` and is imported only when it runs, so
``makerkit --help`` stays fast and a command never pays for another's dependencies. This module is
the one error boundary: a :class:`~makerkit.errors.MakerkitError` becomes a message, a hint and an
exit code; a traceback appears only with ``--debug``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import rich_click as click

from ..errors import MakerkitError
from ..i18n import current_language

# command name -> (module under makerkit.cli, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ports": ("ports", "ports", "List connected boards (port, USB IDs, bridge, matching boards)."),
    "info": ("info", "info", "Ask one board for its firmware, board type and kit id."),
    "boards": ("boards", "boards", "List the board profiles makerkit knows."),
    "sim": ("sim", "sim", "Run the virtual kit (a simulated board running the real firmware)."),
    "lesson": ("lesson", "lesson", "List, show, run and check lessons."),
    "flash": ("flash", "flash", "Flash firmware onto an Arduino (Optiboot) or ESP32 (esptool)."),
    "deploy": ("deploy", "deploy", "Copy the makerkit firmware onto a MicroPython board and configure the kit."),
    "collect": ("collect", "collect", "Log class telemetry from MQTT into the portfolio database."),
    "telemetry": ("telemetry", "telemetry", "Export stored telemetry and list quarantined messages."),
    "bridge": ("bridge", "bridge", "Publish a USB-tethered kit's telemetry to MQTT on its behalf."),
    "classroom": ("classroom", "classroom", "The one-laptop classroom: broker, collector and kits together."),
    "class": ("classes", "class_", "A class: import its roster, see students, groups and kits."),
    "kit": ("kit", "kit", "Hand kits to students or groups; see who held them when."),
    "portfolio": ("portfolio", "portfolio", "Students' portfolios: evaluate, export, showcase, erase, prune, audit."),
    "access": ("access", "access", "Broker logins for kits, collectors, dashboards and teachers; the class CA."),
    "broker": ("broker", "broker", "A class broker that enforces the access rules: mosquitto config, or run one."),
    "project": ("project", "project", "Projects through the design cycle: stages, attachments, links, showcase."),
    "dashboard": ("dashboard", "dashboard", "The class dashboard in a browser: live tiles, kit history, teacher controls."),
}


class LazyGroup(click.RichGroup):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx):
        return sorted(name for name, (module, _, _) in COMMANDS.items() if _module_exists(module))

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        if not _module_exists(module):
            return None
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)

    def format_commands(self, ctx, formatter):  # keep --help fast: short help from the table
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(f"{__name__}.{module}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks (for bug reports).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language of messages (default: from the system locale; or MAKERKIT_LANG).")
@click.version_option(package_name="makerkit")
@click.pass_context
def cli(ctx: click.Context, debug: bool, lang: str | None) -> None:
    """makerkit: flash, drive and collect telemetry from school maker-space kits.

    makerkit 创客套件工具：给 Arduino / ESP32 烧录固件、运行课程、收集遥测数据。
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if lang:
        os.environ["MAKERKIT_LANG"] = lang


def report_error(err: MakerkitError) -> None:
    lang = current_language()
    click.secho(("错误：" if lang == "zh" else "Error: ") + err.message(lang), fg="red", err=True)
    click.secho(("提示：" if lang == "zh" else "Hint: ") + err.hint(lang), fg="yellow", err=True)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns (and exits with) the exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="makerkit", standalone_mode=False)
        return 0
    except MakerkitError as err:
        if debug:
            raise
        report_error(err)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
