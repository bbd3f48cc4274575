"""makerkit: flash, drive and collect telemetry from ESP32 and Arduino kits in school maker-spaces."""

__version__ = "0.1.0"
