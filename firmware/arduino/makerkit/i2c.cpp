// I2C requests (Firmata I2C_REQUEST / I2C_CONFIG) over the Arduino Wire library, with up to four
// continuous reads repeated every sampling interval.
#include <Wire.h>
#include "mk.h"

#define MAX_QUERIES 4
#define NO_REGISTER -1

struct Query { uint8_t addr; int16_t reg; uint8_t count; };
static Query queries[MAX_QUERIES];
static uint8_t query_count;
static bool wire_on;
static uint16_t read_delay_us;

static const char C_NACK[] PROGMEM = "i2c_nack";
static const char E_NACK[] PROGMEM = "No I2C device answered at that address: check SDA (A4), SCL (A5), power and ground.";
static const char Z_NACK[] PROGMEM = "这个 I2C 地址上没有设备回应：请检查 SDA（A4）、SCL（A5）、电源和地线。";
static const char C_BADLEN[] PROGMEM = "bad_request";
static const char E_BADLEN[] PROGMEM = "The command is missing some of its bytes.";
static const char Z_BADLEN[] PROGMEM = "这条命令缺少一些字节。";
static const char C_FULL[] PROGMEM = "too_many_queries";
static const char E_FULL[] PROGMEM = "At most 4 continuous I2C reads at once.";
static const char Z_FULL[] PROGMEM = "最多只能同时进行 4 个连续 I2C 读取。";

static void wire_begin() {
  if (wire_on) return;
  Wire.begin();
  wire_on = true;
  pin_mode[SDA] = PIN_MODE_I2C;
  pin_mode[SCL] = PIN_MODE_I2C;
}

static char hex_digit(uint8_t v) { return v < 10 ? '0' + v : 'a' + v - 10; }

static void nack(uint8_t addr) {   // like the MicroPython firmware: the address goes in "detail"
  char detail[5] = {'0', 'x', hex_digit(addr >> 4), hex_digit(addr & 15), 0};
  mk_json_begin(MK_ERROR, -1);
  j_key(PSTR("code")); j_str_P(C_NACK);
  j_key(PSTR("cmd")); j_uint(I2C_REQUEST);
  j_key(PSTR("detail")); j_str(detail);
  j_key(PSTR("en")); j_str_P(E_NACK);
  j_key(PSTR("zh")); j_str_P(Z_NACK);
  mk_json_end();
}

static void read_and_reply(uint8_t addr, int16_t reg, uint8_t count, bool stop) {
  if (count > BUFFER_LENGTH) count = BUFFER_LENGTH;
  if (reg != NO_REGISTER) {
    Wire.beginTransmission(addr);
    Wire.write((uint8_t)reg);
    if (Wire.endTransmission(stop) != 0) { nack(addr); return; }
    if (read_delay_us) delayMicroseconds(read_delay_us);
  }
  uint8_t got = Wire.requestFrom(addr, count);
  if (got < count) {
    while (Wire.available()) Wire.read();
    nack(addr);
    return;
  }
  out_sysex_begin(I2C_REPLY);
  out_u14(addr);
  out_u14(reg == NO_REGISTER ? 0 : (uint16_t)reg);
  for (uint8_t i = 0; i < got; i++) out_u14(Wire.read());
  out_sysex_end();
}

void i2c_config(const uint8_t *d, uint16_t n) {
  read_delay_us = n >= 2 ? (d[0] | d[1] << 7) : 0;
  wire_begin();
}

void i2c_request(const uint8_t *d, uint16_t n) {
  if (n < 2) { mk_error(C_BADLEN, I2C_REQUEST, -1, E_BADLEN, Z_BADLEN); return; }
  uint8_t addr = d[0] & 0x7F;
  uint8_t mode = (d[1] >> 3) & 0x03;
  bool stop = !(d[1] & 0x40);
  uint8_t pairs = (n - 2) / 2;
  const uint8_t *v = d + 2;
  wire_begin();
  switch (mode) {
    case I2C_WRITE: {
      Wire.beginTransmission(addr);
      for (uint8_t i = 0; i < pairs; i++) Wire.write((uint8_t)(v[2 * i] | v[2 * i + 1] << 7));
      if (Wire.endTransmission(stop) != 0) nack(addr);
      break;
    }
    case I2C_READ: case I2C_READ_CONTINUOUS: {
      if (pairs < 1) { mk_error(C_BADLEN, I2C_REQUEST, addr, E_BADLEN, Z_BADLEN); return; }
      int16_t reg = pairs >= 2 ? (int16_t)(v[0] | v[1] << 7) : NO_REGISTER;
      const uint8_t *c = pairs >= 2 ? v + 2 : v;
      uint8_t count = c[0] | c[1] << 7;
      if (mode == I2C_READ) { read_and_reply(addr, reg, count, stop); break; }
      uint8_t i = 0;
      while (i < query_count && !(queries[i].addr == addr && queries[i].reg == reg)) i++;
      if (i == MAX_QUERIES) { mk_error(C_FULL, I2C_REQUEST, addr, E_FULL, Z_FULL); return; }
      queries[i].addr = addr;
      queries[i].reg = reg;
      queries[i].count = count;
      if (i == query_count) query_count++;
      break;
    }
    case I2C_STOP_READING: {
      uint8_t j = 0;
      for (uint8_t i = 0; i < query_count; i++)
        if (queries[i].addr != addr) queries[j++] = queries[i];
      query_count = j;
      break;
    }
  }
}

void i2c_poll() {
  for (uint8_t i = 0; i < query_count; i++) read_and_reply(queries[i].addr, queries[i].reg, queries[i].count, true);
}

void i2c_reset() { query_count = 0; }
