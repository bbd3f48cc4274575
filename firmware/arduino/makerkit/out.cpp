// Bytes to the host: sysex frames, Encoder7Bit packing (PROTOCOL.md section 3) and a tiny JSON
// writer that streams straight into the packer, so no JSON text is ever held in RAM.
#include "mk.h"

static uint16_t p7_acc;
static uint8_t p7_bits;
static bool j_first;

void out_sysex_begin(uint8_t command) {
  Serial.write(START_SYSEX);
  Serial.write(command);
}

void out_sysex_end() { Serial.write(END_SYSEX); }

void out_u14(uint16_t v) {
  Serial.write(v & 0x7F);
  Serial.write((v >> 7) & 0x7F);
}

void p7_begin() { p7_acc = 0; p7_bits = 0; }

void p7_put(uint8_t b) {
  p7_acc |= (uint16_t)b << p7_bits;
  p7_bits += 8;
  while (p7_bits >= 7) {
    Serial.write(p7_acc & 0x7F);
    p7_acc >>= 7;
    p7_bits -= 7;
  }
}

void p7_end() {
  if (p7_bits) Serial.write(p7_acc & 0x7F);
  p7_bits = 0;
}

static void p7_text(const char *s) { while (*s) p7_put(*s++); }

static void p7_text_P(const char *s) {
  char c;
  while ((c = pgm_read_byte(s++))) p7_put(c);
}

static void j_sep() {
  if (!j_first) p7_put(',');
  j_first = false;
}

void j_open() { p7_put('{'); j_first = true; }

void j_close() { p7_put('}'); j_first = false; }

void j_key(const char *key_P) {
  j_sep();
  p7_put('"');
  p7_text_P(key_P);
  p7_put('"');
  p7_put(':');
}

static void j_escaped(char c) {
  if (c == '"' || c == '\\') { p7_put('\\'); p7_put(c); }
  else if ((uint8_t)c < 0x20) { p7_put(' '); }
  else p7_put(c);
}

void j_str(const char *s) {
  p7_put('"');
  while (*s) j_escaped(*s++);
  p7_put('"');
}

void j_str_P(const char *s_P) {
  char c;
  p7_put('"');
  while ((c = pgm_read_byte(s_P++))) j_escaped(c);
  p7_put('"');
}

void j_raw(const char *s) { p7_text(s); }

void j_uint(uint32_t v) {
  char buf[11];
  ultoa(v, buf, 10);
  p7_text(buf);
}

void j_int(int32_t v) {
  char buf[12];
  ltoa(v, buf, 10);
  p7_text(buf);
}

void j_bool(bool v) { p7_text_P(v ? PSTR("true") : PSTR("false")); }

void j_obj(const char *key_P) {
  j_key(key_P);
  j_open();
}

void mk_json_begin(uint8_t command, int sub) {
  out_sysex_begin(command);
  if (sub >= 0) Serial.write((uint8_t)sub);
  p7_begin();
  j_open();
}

void mk_json_end() {
  j_close();
  p7_end();
  out_sysex_end();
}
