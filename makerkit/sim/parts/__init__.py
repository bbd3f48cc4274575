"""The simulated parts of the virtual kit's world, one module each (as the parts registry names them).

A part that is only pins (an LED, a button) needs no module: the world's pins are its simulation.
A part with behaviour of its own has one here: ``aht20`` (I2C, register by register), ``dht`` and
``sonar`` (what the firmware's drivers read), ``servo`` (pulse to angle), ``motor`` and
``motor_driver`` (pin levels to wheel speeds), ``line_sensor`` (the floor under it, from a callback a
robot world gives). Each module has ``make(world, *pins, **options)`` for :meth:`World.part`.
"""
