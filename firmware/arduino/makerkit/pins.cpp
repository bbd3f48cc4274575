// Pins: modes, digital and analog I/O, and the reports the host asked for.
#include "mk.h"

uint8_t pin_mode[TOTAL_PINS];
uint16_t pin_value[TOTAL_PINS];
uint16_t sampling_ms = 19;

static uint8_t report_ports;      // bit n: report digital port n
static uint8_t last_port[3];
static uint8_t analog_report;     // bit n: report analog channel n
static uint32_t last_sample;

static const char C_BAD_PIN[] PROGMEM = "bad_pin";
static const char E_BAD_PIN[] PROGMEM = "This board has no such pin, or the pin is used by the USB cable (D0, D1).";
static const char Z_BAD_PIN[] PROGMEM = "开发板上没有这个引脚，或者它被 USB 串口占用（D0、D1）。";
static const char C_BAD_MODE[] PROGMEM = "bad_mode";
static const char E_BAD_MODE[] PROGMEM = "This pin cannot work in that mode.";
static const char Z_BAD_MODE[] PROGMEM = "这个引脚不支持这种模式。";

bool pin_exists(uint8_t pin) { return pin >= 2 && pin < TOTAL_PINS; }

bool pin_is_pwm(uint8_t pin) { return pin < 20 && digitalPinHasPWM(pin); }

bool pin_is_analog(uint8_t pin) { return pin >= FIRST_ANALOG_PIN && pin < FIRST_ANALOG_PIN + TOTAL_ANALOG; }

static bool analog_only(uint8_t pin) { return pin >= 20; }

bool pin_can(uint8_t pin, uint8_t mode) {
  if (!pin_exists(pin)) return false;
  if (analog_only(pin)) return mode == PIN_MODE_ANALOG;
  switch (mode) {
    case PIN_MODE_INPUT: case PIN_MODE_OUTPUT: case PIN_MODE_PULLUP: case PIN_MODE_SERVO:
    case PIN_MODE_TONE: case PIN_MODE_SONAR: case PIN_MODE_DHT:
      return true;
    case PIN_MODE_ANALOG: return pin_is_analog(pin);
    case PIN_MODE_PWM: return pin_is_pwm(pin);
    case PIN_MODE_I2C: return pin == SDA || pin == SCL;
  }
  return false;
}

static bool check_pin(uint8_t pin, uint8_t cmd) {
  if (pin_exists(pin)) return true;
  mk_error(C_BAD_PIN, cmd, pin, E_BAD_PIN, Z_BAD_PIN);
  return false;
}

static void leave_mode(uint8_t pin, uint8_t next) {
  uint8_t old = pin_mode[pin];
  if (old == next) return;
  if (old == PIN_MODE_SERVO) servo_detach(pin);
  else if (old == PIN_MODE_SONAR) sonar_detach(pin);
  else if (old == PIN_MODE_DHT) dht_detach(pin);
  else if (old == PIN_MODE_TONE) noTone(pin);
}

bool pins_set_mode(uint8_t pin, uint8_t mode, uint8_t cmd) {
  if (!check_pin(pin, cmd)) return false;
  if (!pin_can(pin, mode)) {
    mk_error(C_BAD_MODE, cmd, pin, E_BAD_MODE, Z_BAD_MODE);
    return false;
  }
  leave_mode(pin, mode);
  bool digital = !analog_only(pin);
  switch (mode) {
    case PIN_MODE_INPUT: case PIN_MODE_ANALOG: case PIN_MODE_I2C:
      if (digital) pinMode(pin, INPUT);
      break;
    case PIN_MODE_PULLUP: pinMode(pin, INPUT_PULLUP); break;
    case PIN_MODE_OUTPUT: case PIN_MODE_TONE:
      digitalWrite(pin, LOW);   // also switches a PWM output off
      pinMode(pin, OUTPUT);
      break;
    case PIN_MODE_PWM:
      pinMode(pin, OUTPUT);
      analogWrite(pin, 0);
      break;
    case PIN_MODE_SERVO:
      if (pin_mode[pin] != PIN_MODE_SERVO && !servo_attach(pin, 544, 2400)) return false;
      break;
  }
  pin_mode[pin] = mode;
  pin_value[pin] = 0;
  return true;
}

void pins_reset() {
  for (uint8_t pin = 2; pin < TOTAL_PINS; pin++) {
    if (!analog_only(pin)) {
      digitalWrite(pin, LOW);
      pinMode(pin, pin_is_analog(pin) ? INPUT : OUTPUT);
    }
    pin_mode[pin] = pin_is_analog(pin) ? PIN_MODE_ANALOG : PIN_MODE_OUTPUT;
    pin_value[pin] = 0;
  }
  pin_mode[0] = pin_mode[1] = PIN_MODE_NONE;
  report_ports = 0;
  analog_report = 0;
  sampling_ms = 19;
}

void pins_digital_message(uint8_t port, uint8_t mask) {
  for (uint8_t i = 0; i < 8; i++) {
    uint8_t pin = port * 8 + i;
    if (pin >= TOTAL_PINS) break;
    if (!pin_exists(pin) || analog_only(pin)) continue;
    uint8_t bit = (mask >> i) & 1;
    if (pin_mode[pin] == PIN_MODE_OUTPUT) {
      digitalWrite(pin, bit);
      pin_value[pin] = bit;
    } else if (bit && pin_mode[pin] == PIN_MODE_INPUT) {   // Firmata: writing 1 to an input = pull-up
      pinMode(pin, INPUT_PULLUP);
      pin_mode[pin] = PIN_MODE_PULLUP;
    }
  }
}

void pins_set_digital(uint8_t pin, uint8_t value, uint8_t cmd) {
  if (!check_pin(pin, cmd)) return;
  uint8_t mode = pin_mode[pin];
  if (mode == PIN_MODE_OUTPUT) {
    digitalWrite(pin, value ? HIGH : LOW);
    pin_value[pin] = value ? 1 : 0;
  } else if (mode == PIN_MODE_INPUT || mode == PIN_MODE_PULLUP) {
    pinMode(pin, value ? INPUT_PULLUP : INPUT);
    pin_mode[pin] = value ? PIN_MODE_PULLUP : PIN_MODE_INPUT;
  } else {
    mk_error(C_BAD_MODE, cmd, pin, E_BAD_MODE, Z_BAD_MODE);
  }
}

void pins_analog_write(uint8_t pin, uint16_t value, uint8_t cmd) {
  if (!check_pin(pin, cmd)) return;
  if (pin_mode[pin] == PIN_MODE_PWM) {
    if (value > 255) value = 255;
    analogWrite(pin, value);
    pin_value[pin] = value;
  } else if (pin_mode[pin] == PIN_MODE_SERVO) {
    servo_write(pin, value);
    pin_value[pin] = value;
  } else {
    mk_error(C_BAD_MODE, cmd, pin, E_BAD_MODE, Z_BAD_MODE);
  }
}

void pins_report_analog(uint8_t channel, bool on) {
  if (channel >= TOTAL_ANALOG) return;
  if (on) analog_report |= 1 << channel;
  else analog_report &= ~(1 << channel);
}

static uint8_t read_port(uint8_t port) {
  uint8_t value = 0;
  for (uint8_t i = 0; i < 8; i++) {
    uint8_t pin = port * 8 + i;
    if (pin >= TOTAL_PINS || analog_only(pin)) break;
    uint8_t mode = pin_mode[pin];
    if ((mode == PIN_MODE_INPUT || mode == PIN_MODE_PULLUP) && digitalRead(pin)) value |= 1 << i;
  }
  return value;
}

static void send_port(uint8_t port, uint8_t value) {
  Serial.write(DIGITAL_MESSAGE | port);
  Serial.write(value & 0x7F);
  Serial.write(value >> 7);
  last_port[port] = value;
}

void pins_report_digital(uint8_t port, bool on) {
  if (port > 2) return;
  if (on) {
    report_ports |= 1 << port;
    send_port(port, read_port(port));
  } else {
    report_ports &= ~(1 << port);
  }
}

void pins_capabilities() {
  out_sysex_begin(CAPABILITY_RESPONSE);
  for (uint8_t pin = 0; pin < TOTAL_PINS; pin++) {
    if (pin_exists(pin) && !analog_only(pin)) {
      Serial.write(PIN_MODE_INPUT); Serial.write(1);
      Serial.write(PIN_MODE_PULLUP); Serial.write(1);
      Serial.write(PIN_MODE_OUTPUT); Serial.write(1);
      if (pin_is_analog(pin)) { Serial.write(PIN_MODE_ANALOG); Serial.write(10); }
      if (pin_is_pwm(pin)) { Serial.write(PIN_MODE_PWM); Serial.write(8); }
      Serial.write(PIN_MODE_SERVO); Serial.write(14);
      if (pin == SDA || pin == SCL) { Serial.write(PIN_MODE_I2C); Serial.write(1); }
      Serial.write(PIN_MODE_SONAR); Serial.write(1);
      Serial.write(PIN_MODE_TONE); Serial.write(1);
      Serial.write(PIN_MODE_DHT); Serial.write(1);
    } else if (analog_only(pin)) {
      Serial.write(PIN_MODE_ANALOG); Serial.write(10);
    }
    Serial.write(0x7F);
  }
  out_sysex_end();
}

void pins_analog_mapping() {
  out_sysex_begin(ANALOG_MAPPING_RESPONSE);
  for (uint8_t pin = 0; pin < TOTAL_PINS; pin++)
    Serial.write(pin_is_analog(pin) ? pin - FIRST_ANALOG_PIN : 0x7F);
  out_sysex_end();
}

void pins_state(uint8_t pin) {
  if (pin >= TOTAL_PINS) {
    mk_error(C_BAD_PIN, PIN_STATE_QUERY, pin, E_BAD_PIN, Z_BAD_PIN);
    return;
  }
  uint8_t mode = pin_mode[pin];
  uint16_t state = pin_value[pin];
  if (mode == PIN_MODE_PULLUP) state = 1;             // digital inputs: the state of the pull-up
  else if (mode == PIN_MODE_INPUT) state = 0;
  else if (mode == PIN_MODE_ANALOG) state = analogRead(pin);
  out_sysex_begin(PIN_STATE_RESPONSE);
  Serial.write(pin);
  Serial.write(mode);
  Serial.write(state & 0x7F);
  if (state > 0x7F) Serial.write((state >> 7) & 0x7F);
  if (state > 0x3FFF) Serial.write((state >> 14) & 0x7F);
  out_sysex_end();
}

void pins_poll(uint32_t now_ms) {
  for (uint8_t port = 0; port < 3; port++) {
    if (!(report_ports & (1 << port))) continue;
    uint8_t value = read_port(port);
    if (value != last_port[port]) send_port(port, value);
  }
  if (now_ms - last_sample >= sampling_ms) {
    last_sample = (now_ms - last_sample >= 2u * sampling_ms) ? now_ms : last_sample + sampling_ms;
    for (uint8_t ch = 0; ch < TOTAL_ANALOG; ch++) {
      if (!(analog_report & (1 << ch))) continue;
      uint16_t v = analogRead(FIRST_ANALOG_PIN + ch);
      Serial.write(ANALOG_MESSAGE | ch);
      Serial.write(v & 0x7F);
      Serial.write(v >> 7);
    }
    i2c_poll();
  }
}
