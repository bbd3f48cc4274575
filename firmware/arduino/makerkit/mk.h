// Shared declarations of the makerkit AVR firmware. One module per job:
//   out.cpp      bytes to the host: sysex frames, 7-bit packing, JSON
//   firmata.cpp  the Firmata parser and the standard messages
//   pins.cpp     pin modes, digital/analog I/O and reporting
//   servo.cpp    servo pulses on any pin (Timer1, like the Arduino Servo library)
//   sensors.cpp  HC-SR04 distance, DHT11/22, tone
//   i2c.cpp      I2C requests over the Wire library
//   kit.cpp      identity and config in EEPROM, telemetry records, errors
#ifndef MK_H
#define MK_H

// The wire constants below are the ones of firmware/micropython/mkfw/wire.py, the one source:
// tests/protocol/test_wire_constants.py checks every one of them against it.

#include <Arduino.h>

#define MK_FW_NAME "makerkit"
#define MK_FW_VERSION "1.0.0"
#define MK_FW_MAJOR 1
#define MK_FW_MINOR 0
#define MK_PROTO 1
#define MK_BAUD 115200
#define FIRMATA_MAJOR 2
#define FIRMATA_MINOR 6

#if defined(MK_BOARD_NANO) || defined(ARDUINO_AVR_NANO)   // make: -DMK_BOARD_NANO; arduino-cli: the FQBN
#define MK_BOARD "nano"
#define TOTAL_PINS 22          // A6/A7 (20, 21) are analog-only on the Nano
#define TOTAL_ANALOG 8
#else
#define MK_BOARD "uno"
#define TOTAL_PINS 20
#define TOTAL_ANALOG 6
#endif
#define FIRST_ANALOG_PIN 14
#define SYSEX_MAX 290          // 240 payload bytes packed 7-in-8, plus command and sub-command

// Firmata commands
#define DIGITAL_MESSAGE 0x90
#define ANALOG_MESSAGE 0xE0
#define REPORT_ANALOG 0xC0
#define REPORT_DIGITAL 0xD0
#define START_SYSEX 0xF0
#define SET_PIN_MODE 0xF4
#define SET_DIGITAL_PIN_VALUE 0xF5
#define END_SYSEX 0xF7
#define REPORT_VERSION 0xF9
#define SYSTEM_RESET 0xFF
// sysex
#define MK_IDENTITY 0x01
#define MK_CONFIG 0x02
#define MK_TELEMETRY 0x03
#define MK_REPL 0x04
#define MK_ERROR 0x0F
#define TONE_DATA 0x5F
#define SONAR_CONFIG 0x62
#define SONAR_DATA 0x63
#define ANALOG_MAPPING_QUERY 0x69
#define ANALOG_MAPPING_RESPONSE 0x6A
#define CAPABILITY_QUERY 0x6B
#define CAPABILITY_RESPONSE 0x6C
#define PIN_STATE_QUERY 0x6D
#define PIN_STATE_RESPONSE 0x6E
#define EXTENDED_ANALOG 0x6F
#define SERVO_CONFIG 0x70
#define STRING_DATA 0x71
#define DHTSENSOR_DATA 0x74
#define I2C_REQUEST 0x76
#define I2C_REPLY 0x77
#define I2C_CONFIG 0x78
#define REPORT_FIRMWARE 0x79
#define SAMPLING_INTERVAL 0x7A
// sub-commands (the first payload byte of a sysex)
#define MK_CONFIG_SET 0x00
#define MK_CONFIG_GET 0x01
#define MK_CONFIG_RESULT 0x02
#define MK_TELEMETRY_PUT 0x00
#define MK_TELEMETRY_RECORD 0x01
#define MK_TELEMETRY_ACK 0x02
#define MK_TELEMETRY_REPLAY 0x03
#define MK_TELEMETRY_CLOCK 0x04
#define MK_TELEMETRY_EVENT 0x05
#define TONE_TONE 0x00
#define TONE_NO_TONE 0x01
#define DHT_RESPONSE 0x00
#define DHT_ATTACH_DHT11 0x01
#define DHT_ATTACH_DHT22 0x02
#define DHT_DETACH 0x03
#define DHT_ERROR 0x7F
// I2C request modes (bits 3-4 of an I2C_REQUEST's second byte)
#define I2C_WRITE 0
#define I2C_READ 1
#define I2C_READ_CONTINUOUS 2
#define I2C_STOP_READING 3
// pin modes
#define PIN_MODE_INPUT 0x00
#define PIN_MODE_OUTPUT 0x01
#define PIN_MODE_ANALOG 0x02
#define PIN_MODE_PWM 0x03
#define PIN_MODE_SERVO 0x04
#define PIN_MODE_I2C 0x06
#define PIN_MODE_PULLUP 0x0B
#define PIN_MODE_SONAR 0x0C
#define PIN_MODE_TONE 0x0D
#define PIN_MODE_DHT 0x0F
#define PIN_MODE_NONE 0x7F

// out.cpp
void out_sysex_begin(uint8_t command);
void out_sysex_end();
void out_u14(uint16_t v);
void p7_begin();
void p7_put(uint8_t b);
void p7_end();
void j_open();
void j_close();
void j_key(const char *key_P);         // key in flash (PSTR)
void j_str(const char *s);             // value in RAM
void j_str_P(const char *s_P);         // value in flash
void j_raw(const char *s);             // a number already in text form
void j_uint(uint32_t v);
void j_int(int32_t v);
void j_bool(bool v);
void j_obj(const char *key_P);         // "key": { ... (close with j_close)
void mk_json_begin(uint8_t command, int sub);
void mk_json_end();

// firmata.cpp
void firmata_feed(uint8_t b);
void firmata_report_version();
void firmata_report_firmware();

// pins.cpp
extern uint8_t pin_mode[TOTAL_PINS];
extern uint16_t pin_value[TOTAL_PINS];
extern uint16_t sampling_ms;
bool pin_exists(uint8_t pin);
bool pin_is_pwm(uint8_t pin);
bool pin_is_analog(uint8_t pin);
bool pin_can(uint8_t pin, uint8_t mode);
bool pins_set_mode(uint8_t pin, uint8_t mode, uint8_t cmd);
void pins_reset();
void pins_digital_message(uint8_t port, uint8_t mask);
void pins_set_digital(uint8_t pin, uint8_t value, uint8_t cmd);
void pins_analog_write(uint8_t pin, uint16_t value, uint8_t cmd);
void pins_report_analog(uint8_t channel, bool on);
void pins_report_digital(uint8_t port, bool on);
void pins_capabilities();
void pins_analog_mapping();
void pins_state(uint8_t pin);
void pins_poll(uint32_t now_ms);

// servo.cpp
bool servo_attach(uint8_t pin, uint16_t min_us, uint16_t max_us);
void servo_detach(uint8_t pin);
void servo_write(uint8_t pin, uint16_t value);   // < 544: degrees, else microseconds
void servo_detach_all();

// sensors.cpp
void sonar_config(uint8_t trigger, uint8_t echo);
void sonar_detach(uint8_t pin);
void dht_sysex(const uint8_t *d, uint16_t n);
void dht_detach(uint8_t pin);
void tone_sysex(const uint8_t *d, uint16_t n);
void sensors_poll(uint32_t now_ms);
void sensors_reset();

// i2c.cpp
void i2c_request(const uint8_t *d, uint16_t n);
void i2c_config(const uint8_t *d, uint16_t n);
void i2c_poll();
void i2c_reset();

// kit.cpp
void kit_setup();
void kit_sysex(uint8_t command, uint8_t *d, uint16_t n);
void mk_error(const char *code_P, uint8_t cmd, int16_t pin, const char *en_P, const char *zh_P);

void mk_setup();
void mk_loop();

#endif
