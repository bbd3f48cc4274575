"""Setting a WiFi kit's clock by NTP (MicroPython-compatible).

The kit asks ``hal.ntp_time(server)`` (``ntptime`` on an ESP32) once its network is up, again every
``RETRY_MS`` while nobody answers, and every ``RESYNC_MS`` after an answer. Config key ``ntp``: ""
asks the default server of MicroPython's ``ntptime``, a host name asks that server (a school's
own), ``off`` never asks (the bridge or the laptop sets the clock instead). Until a time is known
the kit's readings carry no ``time`` and are placed by ``boot`` + ``uptime_ms``.
"""

RETRY_MS = 60000                  # a query blocks up to ~1 s on a board: not more than once a minute
RESYNC_MS = 6 * 3600 * 1000       # the ESP32's clock drifts a few seconds a day


class NtpClock:
    def __init__(self, hal, config):
        self.hal = hal
        self.config = config
        self._next = 0            # uptime (ms) of the next query
        self.synced = 0           # answers so far
        self.failures = 0

    def step(self, uptime_ms):
        """The wall-clock time (ms since 1970) when a query was due and answered, else None."""
        server = self.config.get("ntp") or ""
        if server == "off" or uptime_ms < self._next:
            return None
        query = getattr(self.hal, "ntp_time", None)   # hardware layers without a network have none
        now = query(server) if query is not None else None
        if now is None:
            self.failures += 1
            self._next = uptime_ms + RETRY_MS
            return None
        self.synced += 1
        self._next = uptime_ms + RESYNC_MS
        return now
