"""makerkit device firmware (MicroPython): a Firmata server over a small hardware layer."""
