// The Firmata parser: bytes from the host in, calls into the pin/sensor/kit modules out.
// Standard Firmata 2.6 framing (firmware/PROTOCOL.md section 2); makerkit's sysex go to kit.cpp.
#include "mk.h"

static uint8_t sysex_buf[SYSEX_MAX];
static uint16_t sysex_len;
static bool in_sysex, sysex_overflow;
static uint8_t command, need, have, args[2];

static const char E_BUFFER[] PROGMEM = "Message too long for the board (at most 240 bytes).";
static const char Z_BUFFER[] PROGMEM = "消息太长，开发板放不下（最多 240 字节）。";
static const char E_SYSEX[] PROGMEM = "This firmware does not know that command.";
static const char Z_SYSEX[] PROGMEM = "这个固件不认识这条命令。";
static const char C_BUFFER[] PROGMEM = "buffer_full";
static const char C_SYSEX[] PROGMEM = "unknown_sysex";
static const char C_BADLEN[] PROGMEM = "bad_request";
static const char E_BADLEN[] PROGMEM = "The command is missing some of its bytes.";
static const char Z_BADLEN[] PROGMEM = "这条命令缺少一些字节。";

void firmata_report_version() {
  Serial.write(REPORT_VERSION);
  Serial.write(FIRMATA_MAJOR);
  Serial.write(FIRMATA_MINOR);
}

void firmata_report_firmware() {
  static const char name[] PROGMEM = MK_FW_NAME;
  out_sysex_begin(REPORT_FIRMWARE);
  Serial.write(MK_FW_MAJOR);
  Serial.write(MK_FW_MINOR);
  for (const char *p = name; pgm_read_byte(p); p++) out_u14(pgm_read_byte(p));
  out_sysex_end();
}

static uint32_t multibyte(const uint8_t *d, uint8_t n) {
  uint32_t v = 0;
  for (uint8_t i = 0; i < n && i < 4; i++) v |= (uint32_t)(d[i] & 0x7F) << (7 * i);
  return v;
}

static void system_reset() {
  servo_detach_all();
  sensors_reset();
  i2c_reset();
  pins_reset();
}

static void handle_sysex(uint8_t *d, uint16_t n) {
  uint8_t cmd = d[0];
  uint8_t *p = d + 1;
  uint16_t len = n - 1;
  switch (cmd) {
    case REPORT_FIRMWARE: firmata_report_firmware(); break;
    case CAPABILITY_QUERY: pins_capabilities(); break;
    case ANALOG_MAPPING_QUERY: pins_analog_mapping(); break;
    case PIN_STATE_QUERY:
      if (len >= 1) pins_state(p[0]);
      break;
    case EXTENDED_ANALOG:
      if (len >= 2) pins_analog_write(p[0], (uint16_t)multibyte(p + 1, len - 1), cmd);
      else mk_error(C_BADLEN, cmd, -1, E_BADLEN, Z_BADLEN);
      break;
    case SERVO_CONFIG:
      if (len >= 5) {
        uint8_t pin = p[0];
        if (pins_set_mode(pin, PIN_MODE_SERVO, cmd)) {
          servo_attach(pin, p[1] | p[2] << 7, p[3] | p[4] << 7);
        }
      } else mk_error(C_BADLEN, cmd, -1, E_BADLEN, Z_BADLEN);
      break;
    case SAMPLING_INTERVAL:
      if (len >= 2) {
        uint16_t ms = p[0] | p[1] << 7;
        sampling_ms = ms < 10 ? 10 : ms;
      }
      break;
    case STRING_DATA: break;   // text from the host has nowhere to go on an Uno
    case I2C_REQUEST: i2c_request(p, len); break;
    case I2C_CONFIG: i2c_config(p, len); break;
    case TONE_DATA: tone_sysex(p, len); break;
    case SONAR_CONFIG:
      if (len >= 2) sonar_config(p[0], p[1]);
      else mk_error(C_BADLEN, cmd, -1, E_BADLEN, Z_BADLEN);
      break;
    case DHTSENSOR_DATA: dht_sysex(p, len); break;
    case MK_IDENTITY: case MK_CONFIG: case MK_TELEMETRY: case MK_REPL:
      kit_sysex(cmd, p, len);
      break;
    default: mk_error(C_SYSEX, cmd, -1, E_SYSEX, Z_SYSEX);
  }
}

static void dispatch() {
  uint8_t high = command & 0xF0;
  if (high == DIGITAL_MESSAGE) pins_digital_message(command & 0x0F, args[0] | (args[1] << 7));
  else if (high == ANALOG_MESSAGE) pins_analog_write(command & 0x0F, args[0] | (args[1] << 7), ANALOG_MESSAGE);
  else if (high == REPORT_ANALOG) pins_report_analog(command & 0x0F, args[0]);
  else if (high == REPORT_DIGITAL) pins_report_digital(command & 0x0F, args[0]);
  else if (command == SET_PIN_MODE) pins_set_mode(args[0], args[1], SET_PIN_MODE);
  else if (command == SET_DIGITAL_PIN_VALUE) pins_set_digital(args[0], args[1], SET_DIGITAL_PIN_VALUE);
}

void firmata_feed(uint8_t b) {
  if (in_sysex) {
    if (b == END_SYSEX) {
      in_sysex = false;
      if (sysex_overflow) mk_error(C_BUFFER, sysex_buf[0], -1, E_BUFFER, Z_BUFFER);
      else if (sysex_len) handle_sysex(sysex_buf, sysex_len);
      return;
    }
    if (!(b & 0x80)) {
      if (sysex_len < SYSEX_MAX) sysex_buf[sysex_len++] = b;
      else sysex_overflow = true;
      return;
    }
    in_sysex = false;   // a command byte inside a sysex: the sysex was cut short; start over
  }
  if (b & 0x80) {
    have = 0;
    need = 0;
    command = 0;
    uint8_t high = b & 0xF0;
    if (high == DIGITAL_MESSAGE || high == ANALOG_MESSAGE) need = 2;
    else if (high == REPORT_ANALOG || high == REPORT_DIGITAL) need = 1;
    else if (b == SET_PIN_MODE || b == SET_DIGITAL_PIN_VALUE) need = 2;
    else if (b == REPORT_VERSION) firmata_report_version();
    else if (b == SYSTEM_RESET) system_reset();
    else if (b == START_SYSEX) { in_sysex = true; sysex_len = 0; sysex_overflow = false; }
    if (need) command = b;
    return;
  }
  if (!command) return;   // data byte without a command: skip until the next command byte
  args[have++] = b;
  if (have == need) {
    dispatch();
    command = 0;
  }
}
