// makerkit firmware for Arduino Uno / Nano (ATmega328P): standard Firmata 2.6 plus makerkit's
// sysex extensions (identity in EEPROM, config, telemetry, DHT11/22, HC-SR04, tone, servo, I2C).
// The wire contract is firmware/PROTOCOL.md. Build: `make -C firmware/arduino` (avr-gcc) or
// `arduino-cli compile --fqbn arduino:avr:uno firmware/arduino/makerkit`.
#include "mk.h"

void setup() { mk_setup(); }

void loop() { mk_loop(); }
