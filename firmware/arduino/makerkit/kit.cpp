// makerkit's own sysex messages (firmware/PROTOCOL.md section 3): identity, config kept in EEPROM,
// telemetry records (numbered across reboots, buffered for replay until acknowledged), errors.
//
// Identity: the kit's incarnation `inc` (docs/TELEMETRY.md section 2a) is made whenever the counters
// start again (a new or erased EEPROM, or one from before incarnations) and `hw`, a random hardware
// id, once; both are 12 characters kept in EEPROM. An AVR has no random number generator, so both are
// drawn, when first needed, from the random nonce the host sends with its identity query (which comes
// before anything else that needs them) and the micros() at which host bytes arrived since boot (USB
// timing jitter), and are sent in MK_IDENTITY, every RECORD and every EVENT.
#include <avr/eeprom.h>
#include "mk.h"

// EEPROM layout
#define EE_MAGIC ((uint8_t *)0)      // 'm' 'k' 1
#define EE_BOOT ((uint32_t *)4)
#define EE_SEQ ((uint32_t *)8)        // telemetry: first sequence number not yet promised
#define EE_INTERVAL ((uint16_t *)12)
#define EE_KIT ((uint8_t *)16)        // 33 bytes, NUL-terminated
#define EE_CLASS ((uint8_t *)49)
#define EE_INC ((uint8_t *)82)        // 13 bytes: the incarnation, 12 of [0-9a-z] and NUL
#define EE_HW ((uint8_t *)95)         // 13 bytes: the random hardware id, 12 hex digits and NUL
#define EE_PASS ((uint8_t *)108)      // 33 bytes: the kit's own broker password (for its bridge), NUL-terminated
#define LAYOUT 3                      // EEPROM layout: 1 had no incarnation nor hardware id, 2 no password
#define NAME_MAX 32
#define ID_LEN 12
#define SEQ_BLOCK 16

#define RING 3
#define RECORD_TEXT 64
struct Record {
  uint32_t seq, uptime, msday;
  uint16_t days;
  uint8_t len;                        // 0: slot free
  bool timed;
  char text[RECORD_TEXT];
};
static Record ring[RING];
static uint32_t boot_count, next_seq, dropped;
static bool clock_set;
static uint16_t clock_days;
static uint32_t clock_msday, clock_millis;
static char inc_id[ID_LEN + 1];
static uint32_t ent_a = 0x6A09E667UL, ent_b = 0xBB67AE85UL;   // entropy pool (see the top)

static const char K_KIT[] PROGMEM = "kit";
static const char K_CLASS[] PROGMEM = "class";
static const char K_INTERVAL[] PROGMEM = "interval";
static const char K_PASSWORD[] PROGMEM = "password";
static const char K_ERROR[] PROGMEM = "error";
static const char K_KEY[] PROGMEM = "key";
static const char EMPTY[] PROGMEM = "";
static const char BASE36[] PROGMEM = "0123456789abcdefghijklmnopqrstuvwxyz";

// ---- errors -------------------------------------------------------------------------------------
void mk_error(const char *code_P, uint8_t cmd, int16_t pin, const char *en_P, const char *zh_P) {
  mk_json_begin(MK_ERROR, -1);
  j_key(PSTR("code")); j_str_P(code_P);
  j_key(PSTR("cmd")); j_uint(cmd);
  if (pin >= 0) { j_key(PSTR("pin")); j_uint(pin); }
  j_key(PSTR("en")); j_str_P(en_P);
  j_key(PSTR("zh")); j_str_P(zh_P);
  mk_json_end();
}

static const char C_BAD_LINE[] PROGMEM = "bad_reading";
static const char E_BAD_LINE[] PROGMEM = "A reading needs a name (a-z, 0-9, _) and a number, like temp=21.5.";
static const char Z_BAD_LINE[] PROGMEM = "每个读数需要一个名称（a-z、0-9、_）和一个数字，例如 temp=21.5。";
static const char C_BAD_VALUE[] PROGMEM = "bad_value";
static const char C_BAD_EVENT[] PROGMEM = "bad_event";
static const char E_BAD_EVENT[] PROGMEM = "An event needs a name (a-z, 0-9, _), like event=checkpoint, and data.key=value lines.";
static const char Z_BAD_EVENT[] PROGMEM = "事件需要一个名称（a-z、0-9、_），例如 event=checkpoint，以及 data.key=value 行。";
static const char E_BAD_TIME[] PROGMEM = "The time must look like 2026-11-23T13:00:05.120Z.";
static const char Z_BAD_TIME[] PROGMEM = "时间格式应类似 2026-11-23T13:00:05.120Z。";
static const char C_UNSUPPORTED[] PROGMEM = "unsupported";
static const char E_REPL[] PROGMEM = "An Arduino has no MicroPython REPL; only ESP32 kits do.";
static const char Z_REPL[] PROGMEM = "Arduino 没有 MicroPython 交互环境，只有 ESP32 套件才有。";
static const char C_BADSUB[] PROGMEM = "unknown_sysex";
static const char E_BADSUB[] PROGMEM = "This firmware does not know that sub-command.";
static const char Z_BADSUB[] PROGMEM = "这个固件不认识这条子命令。";

// ---- text helpers -------------------------------------------------------------------------------
static uint16_t unpack7(uint8_t *d, uint16_t n) {   // in place: the output never overtakes the input
  uint16_t acc = 0, out = 0;
  uint8_t bits = 0;
  for (uint16_t i = 0; i < n; i++) {
    acc |= (uint16_t)(d[i] & 0x7F) << bits;
    bits += 7;
    if (bits >= 8) { d[out++] = acc & 0xFF; acc >>= 8; bits -= 8; }
  }
  return out;
}

// Walk `key=value` lines: 1 for a line with '=', -1 for a line without, 0 at the end.
// The pointers point into the text (not NUL-terminated).
struct Line { const char *key; uint8_t key_len; const char *val; uint8_t val_len; };
static int8_t next_line(const char *&p, const char *end, Line &l) {
  while (p < end && (*p == '\n' || *p == '\r')) p++;
  if (p >= end) return 0;
  const char *eol = p;
  while (eol < end && *eol != '\n') eol++;
  const char *eq = p;
  while (eq < eol && *eq != '=') eq++;
  l.key = p;
  l.key_len = eq - p;
  l.val = eq < eol ? eq + 1 : eol;
  l.val_len = eq < eol ? eol - eq - 1 : 0;
  if (l.val_len && l.val[l.val_len - 1] == '\r') l.val_len--;
  p = eol;
  return eq < eol ? 1 : -1;
}

static bool is_key(const Line &l, const char *name_P) {
  return strlen_P(name_P) == l.key_len && strncmp_P(l.key, name_P, l.key_len) == 0;
}

static bool valid_name(const char *s, uint8_t n, bool dash) {   // [a-z0-9_]{1,32} or [a-z0-9-]{1,32}
  if (n < 1 || n > NAME_MAX) return false;
  for (uint8_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == (dash ? '-' : '_'))) return false;
  }
  return true;
}

static bool valid_number(const char *s, uint8_t n) {   // a JSON number: -?int(.frac)?(e[+-]?digits)?
  uint8_t i = 0, digits = 0;
  if (i < n && s[i] == '-') i++;
  uint8_t first = i;
  while (i < n && isdigit(s[i])) { i++; digits++; }
  if (!digits || (s[first] == '0' && digits > 1)) return false;
  if (i < n && s[i] == '.') {
    i++; digits = 0;
    while (i < n && isdigit(s[i])) { i++; digits++; }
    if (!digits) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    digits = 0;
    while (i < n && isdigit(s[i])) { i++; digits++; }
    if (!digits) return false;
  }
  return i == n;
}

static void j_text(const char *s, uint8_t n) {
  p7_put('"');
  for (uint8_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '"' || c == '\\') p7_put('\\');
    p7_put((uint8_t)c < 0x20 ? ' ' : c);
  }
  p7_put('"');
}

static void j_key_text(const char *s, uint8_t n, bool &first) {
  if (!first) p7_put(',');
  first = false;
  j_text(s, n);
  p7_put(':');
}

static void ee_name(uint8_t *where, char *out) {
  eeprom_read_block(out, where, NAME_MAX + 1);
  out[NAME_MAX] = 0;
  for (uint8_t i = 0; out[i]; i++)
    if ((uint8_t)out[i] == 0xFF) { out[i] = 0; break; }
}

// ---- identity and config ------------------------------------------------------------------------
// ---- random ids ---------------------------------------------------------------------------------
static void entropy_mix(uint32_t x) {
  ent_a = (ent_a ^ x) * 16777619UL;
  ent_b = (ent_b + x) * 2654435761UL ^ (ent_a >> 15);
}

static void make_id(char *out, uint8_t base) {   // ID_LEN characters of BASE36's first `base`
  entropy_mix(micros());
  uint32_t x = ent_a | 1, y = ent_b;
  for (uint8_t i = 0; i < ID_LEN; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    y = y * 1664525UL + 1013904223UL;
    out[i] = pgm_read_byte(BASE36 + (x ^ y) % base);
  }
  out[ID_LEN] = 0;
}

// The id kept at `where`, made (and kept) first when there is none.
static void ee_id(uint8_t *where, char *out, uint8_t base) {
  eeprom_read_block(out, where, ID_LEN + 1);
  bool ok = out[ID_LEN] == 0;
  for (uint8_t i = 0; ok && i < ID_LEN; i++) {
    char c = out[i];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c < 'a' + base - 10);
  }
  if (ok) return;
  make_id(out, base);
  eeprom_update_block(out, where, ID_LEN + 1);
}

static void ensure_inc() {
  if (!inc_id[0]) ee_id(EE_INC, inc_id, 36);
}

void kit_setup() {
  uint8_t layout = 0;
  if (eeprom_read_byte(EE_MAGIC) == 'm' && eeprom_read_byte(EE_MAGIC + 1) == 'k') layout = eeprom_read_byte(EE_MAGIC + 2);
  if (layout < 1 || layout > LAYOUT) {
    layout = 1;
    eeprom_update_dword(EE_BOOT, 0);
    eeprom_update_dword(EE_SEQ, 0);
    eeprom_update_word(EE_INTERVAL, 10);
    eeprom_update_byte(EE_KIT, 0);
    eeprom_update_byte(EE_CLASS, 0);
    eeprom_update_byte(EE_MAGIC, 'm');
    eeprom_update_byte(EE_MAGIC + 1, 'k');
    eeprom_update_byte(EE_MAGIC + 2, 1);
    next_seq = 0;
  } else {
    next_seq = eeprom_read_dword(EE_SEQ) + SEQ_BLOCK;   // numbers promised before a crash are never reused
  }
  if (layout == 1) {                  // counters without an incarnation: a new one (and an id) when first needed
    eeprom_update_byte(EE_INC + ID_LEN, 0xFF);
    eeprom_update_byte(EE_HW + ID_LEN, 0xFF);
  }
  if (layout < 3) eeprom_update_byte(EE_PASS, 0);   // no broker password yet; counters and ids are kept
  eeprom_update_byte(EE_MAGIC + 2, LAYOUT);
  eeprom_update_dword(EE_SEQ, next_seq);
  boot_count = eeprom_read_dword(EE_BOOT) + 1;
  eeprom_update_dword(EE_BOOT, boot_count);
}

static void send_identity() {
  char name[NAME_MAX + 1];
  mk_json_begin(MK_IDENTITY, -1);
  j_key(PSTR("fw")); j_str_P(PSTR(MK_FW_NAME));
  j_key(PSTR("version")); j_str_P(PSTR(MK_FW_VERSION));
  j_key(PSTR("proto")); j_uint(MK_PROTO);
  j_key(PSTR("board")); j_str_P(PSTR(MK_BOARD));
  ee_name(EE_KIT, name);
  j_key(K_KIT); j_str(name);
  ee_name(EE_CLASS, name);
  j_key(K_CLASS); j_str(name);
  j_key(PSTR("boot")); j_uint(boot_count);
  ensure_inc();
  j_key(PSTR("inc")); j_str(inc_id);
  ee_id(EE_HW, name, 16);
  j_key(PSTR("hw")); j_str(name);
  j_key(PSTR("dropped")); j_uint(dropped);
  j_key(PSTR("features"));
  j_raw("[\"dht\",\"sonar\",\"tone\",\"servo\",\"i2c\",\"telemetry\",\"config\"]");
  mk_json_end();
}

// The config, secrets as "***" (or "" when unset); the password itself only when the host asks for it
// (`show=password`): the bridge that logs in to the class broker as this kit.
static void send_config(bool show_password) {
  char name[NAME_MAX + 1];
  mk_json_begin(MK_CONFIG, MK_CONFIG_RESULT);
  ee_name(EE_KIT, name);
  j_key(K_KIT); j_str(name);
  ee_name(EE_CLASS, name);
  j_key(K_CLASS); j_str(name);
  j_key(PSTR("wifi_ssid")); j_str_P(EMPTY);
  j_key(PSTR("wifi_password")); j_str_P(EMPTY);
  j_key(PSTR("broker")); j_str_P(EMPTY);
  j_key(PSTR("username")); j_str_P(EMPTY);
  ee_name(EE_PASS, name);
  j_key(K_PASSWORD);
  if (show_password || !name[0]) j_str(name);
  else j_str_P(PSTR("***"));
  j_key(K_INTERVAL); j_uint(eeprom_read_word(EE_INTERVAL));
  mk_json_end();
}

static void config_refused(const char *error_P, const Line &l) {
  mk_json_begin(MK_CONFIG, MK_CONFIG_RESULT);
  j_key(K_ERROR); j_str_P(error_P);
  j_key(K_KEY);
  j_text(l.key, l.key_len);
  mk_json_end();
}

static bool parse_interval(const Line &l, uint16_t &out) {
  uint32_t v = 0;
  if (!l.val_len || l.val_len > 5) return false;
  for (uint8_t i = 0; i < l.val_len; i++) {
    if (!isdigit(l.val[i])) return false;
    v = v * 10 + (l.val[i] - '0');
  }
  if (v < 1 || v > 65535) return false;
  out = v;
  return true;
}

static bool valid_password(const char *s, uint8_t n) {   // [A-Za-z0-9]{0,32}: empty forgets it
  if (n > NAME_MAX) return false;
  for (uint8_t i = 0; i < n; i++)
    if (!isalnum(s[i])) return false;
  return true;
}

static bool asks_password(const char *text, uint16_t n) {   // GET with a `show=password` line
  const char *p = text, *end = text + n;
  Line l;
  while (next_line(p, end, l) > 0)
    if (is_key(l, PSTR("show")) && l.val_len == 8 && strncmp_P(l.val, K_PASSWORD, 8) == 0) return true;
  return false;
}

static void config_set(const char *text, uint16_t n) {
  const char *end = text + n, *p = text;
  Line l;
  uint16_t interval;
  int8_t kind;
  while ((kind = next_line(p, end, l))) {   // check everything first: a refused key changes nothing
    if (kind < 0) { config_refused(PSTR("bad_value"), l); return; }
    bool dash = is_key(l, K_KIT) || is_key(l, K_CLASS);
    if (dash) {
      if (!valid_name(l.val, l.val_len, true)) { config_refused(PSTR("bad_value"), l); return; }
    } else if (is_key(l, K_INTERVAL)) {
      if (!parse_interval(l, interval)) { config_refused(PSTR("bad_value"), l); return; }
    } else if (is_key(l, K_PASSWORD)) {
      if (!valid_password(l.val, l.val_len)) { config_refused(PSTR("bad_value"), l); return; }
    } else {
      config_refused(PSTR("bad_key"), l);   // wifi_*, broker, username: an Uno has no WiFi
      return;
    }
  }
  p = text;
  while (next_line(p, end, l)) {
    if (is_key(l, K_INTERVAL)) {
      parse_interval(l, interval);
      eeprom_update_word(EE_INTERVAL, interval);
    } else {
      uint8_t *where = is_key(l, K_KIT) ? EE_KIT : is_key(l, K_CLASS) ? EE_CLASS : EE_PASS;
      eeprom_update_block(l.val, where, l.val_len);
      eeprom_update_byte(where + l.val_len, 0);
    }
  }
  send_config(false);
}

// ---- wall clock ---------------------------------------------------------------------------------
static int32_t days_from_civil(int16_t y, uint8_t m, uint8_t d) {   // H. Hinnant's algorithm
  y -= m <= 2;
  int16_t era = (y >= 0 ? y : y - 399) / 400;
  uint16_t yoe = y - era * 400;
  uint16_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  uint32_t doe = (uint32_t)yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, int16_t &y, uint8_t &m, uint8_t &d) {
  z += 719468;
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  uint32_t doe = z - era * 146097;
  uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  uint32_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

static bool digits(const char *s, uint8_t n, uint16_t &out) {
  out = 0;
  for (uint8_t i = 0; i < n; i++) {
    if (!isdigit(s[i])) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

static bool clock_set_from(const char *s, uint8_t n) {   // 2026-11-23T13:00:05[.120]Z
  uint16_t y, mo, d, h, mi, se, ms = 0;
  if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') return false;
  if (!digits(s, 4, y) || !digits(s + 5, 2, mo) || !digits(s + 8, 2, d) || !digits(s + 11, 2, h) ||
      !digits(s + 14, 2, mi) || !digits(s + 17, 2, se)) return false;
  uint8_t i = 19;
  if (s[i] == '.') {
    uint8_t k = 0;
    for (i++; i < n && isdigit(s[i]); i++, k++)
      if (k < 3) ms = ms * 10 + (s[i] - '0');
    for (; k < 3; k++) ms *= 10;
  }
  bool utc = (i + 1 == n && s[i] == 'Z') || (i + 6 == n && strncmp_P(s + i, PSTR("+00:00"), 6) == 0);
  if (!utc || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970) return false;
  clock_days = days_from_civil(y, mo, d);
  clock_msday = ((uint32_t)h * 3600 + mi * 60 + se) * 1000UL + ms;
  clock_millis = millis();
  clock_set = true;
  return true;
}

static void j_time(uint16_t days, uint32_t msday) {
  int16_t y;
  uint8_t m, d;
  civil_from_days(days, y, m, d);
  char buf[30];
  uint32_t s = msday / 1000;
  snprintf_P(buf, sizeof buf, PSTR("\"%04d-%02u-%02uT%02u:%02u:%02u.%03uZ\""), y, m, d, (uint8_t)(s / 3600),
             (uint8_t)(s / 60 % 60), (uint8_t)(s % 60), (uint16_t)(msday % 1000));
  j_raw(buf);
}

// ---- telemetry ----------------------------------------------------------------------------------
static bool readings_valid(const char *text, uint16_t n) {
  const char *p = text, *end = text + n;
  Line l;
  uint8_t readings = 0;
  int8_t kind;
  while ((kind = next_line(p, end, l))) {
    if (kind < 0) return false;
    if (l.key_len > 5 && strncmp_P(l.key, PSTR("unit."), 5) == 0) {
      if (!valid_name(l.key + 5, l.key_len - 5, false) || l.val_len > 16) return false;
    } else {
      if (!valid_name(l.key, l.key_len, false) || !valid_number(l.val, l.val_len)) return false;
      readings++;
    }
  }
  return readings > 0 && readings <= 32;
}

static void emit_record(const char *text, uint8_t n, uint32_t seq, uint32_t uptime, bool timed, uint16_t days,
                        uint32_t msday, bool replay) {
  mk_json_begin(MK_TELEMETRY, MK_TELEMETRY_RECORD);
  j_key(PSTR("v")); j_uint(1);
  j_key(PSTR("seq")); j_uint(seq);
  j_key(PSTR("boot")); j_uint(boot_count);
  ensure_inc();
  j_key(PSTR("inc")); j_str(inc_id);
  j_key(PSTR("uptime_ms")); j_uint(uptime);
  if (timed) { j_key(PSTR("time")); j_time(days, msday); }
  for (uint8_t pass = 0; pass < 2; pass++) {   // pass 0: readings, pass 1: units
    const char *p = text, *end = text + n;
    Line l;
    bool first = true, any = false;
    int8_t kind;
    while ((kind = next_line(p, end, l))) {
      if (kind < 0) continue;
      bool unit = l.key_len > 5 && strncmp_P(l.key, PSTR("unit."), 5) == 0;
      if (unit != (pass == 1)) continue;
      if (!any) { j_key(pass ? PSTR("units") : PSTR("readings")); p7_put('{'); any = true; }
      if (unit) { j_key_text(l.key + 5, l.key_len - 5, first); j_text(l.val, l.val_len); }
      else { j_key_text(l.key, l.key_len, first); for (uint8_t i = 0; i < l.val_len; i++) p7_put(l.val[i]); }
    }
    if (any) p7_put('}');
  }
  if (dropped) { j_key(PSTR("dropped")); j_uint(dropped); }
  if (replay) { j_key(PSTR("replay")); j_bool(true); }
  mk_json_end();
}

static void telemetry_put(const char *text, uint16_t n) {
  if (!readings_valid(text, n)) {
    mk_error(C_BAD_LINE, MK_TELEMETRY, -1, E_BAD_LINE, Z_BAD_LINE);
    return;
  }
  uint32_t seq = next_seq++;
  if (next_seq % SEQ_BLOCK == 0) eeprom_update_dword(EE_SEQ, next_seq);
  uint32_t uptime = millis();
  uint16_t days = 0;
  uint32_t msday = 0;
  if (clock_set) {
    uint32_t t = clock_msday + (uptime - clock_millis);
    days = clock_days + t / 86400000UL;
    msday = t % 86400000UL;
  }
  emit_record(text, n, seq, uptime, clock_set, days, msday, false);
  if (n > RECORD_TEXT) return;          // too long to keep for a replay: sent once, like QoS 0
  Record *slot = 0;
  for (uint8_t i = 0; i < RING; i++)
    if (!ring[i].len) { slot = &ring[i]; break; }
  if (!slot) {                          // buffer full: the oldest unacknowledged record goes
    slot = &ring[0];
    for (uint8_t i = 1; i < RING; i++)
      if (ring[i].seq < slot->seq) slot = &ring[i];
    dropped++;
  }
  slot->seq = seq;
  slot->uptime = uptime;
  slot->timed = clock_set;
  slot->days = days;
  slot->msday = msday;
  slot->len = n;
  memcpy(slot->text, text, n);
}

// MK_TELEMETRY EVENT: ``event=NAME`` and ``data.KEY=JSON`` lines (the host encodes the values as JSON,
// copied as they are). An Uno has no network: the event goes back to the host (flag 0) for the bridge.
static void telemetry_event(const char *text, uint16_t n) {
  const char *p = text, *end = text + n, *name = 0;
  uint8_t name_len = 0;
  Line l;
  int8_t kind;
  while ((kind = next_line(p, end, l))) {
    bool ok = kind > 0;
    if (ok && is_key(l, PSTR("event"))) { name = l.val; name_len = l.val_len; ok = valid_name(name, name_len, false); }
    else if (ok) ok = l.key_len > 5 && strncmp_P(l.key, PSTR("data."), 5) == 0
                      && valid_name(l.key + 5, l.key_len - 5, false) && l.val_len > 0;
    if (!ok) { name = 0; break; }
  }
  if (!name) { mk_error(C_BAD_EVENT, MK_TELEMETRY, -1, E_BAD_EVENT, Z_BAD_EVENT); return; }
  uint32_t uptime = millis();
  out_sysex_begin(MK_TELEMETRY);
  Serial.write((uint8_t)MK_TELEMETRY_EVENT);
  Serial.write((uint8_t)0x00);                 // not published by the kit: for the bridge
  p7_begin();
  j_open();
  j_key(PSTR("v")); j_uint(1);
  j_key(PSTR("event")); j_text(name, name_len);
  j_key(PSTR("boot")); j_uint(boot_count);
  ensure_inc();
  j_key(PSTR("inc")); j_str(inc_id);
  j_key(PSTR("uptime_ms")); j_uint(uptime);
  if (clock_set) {
    uint32_t t = clock_msday + (uptime - clock_millis);
    j_key(PSTR("time")); j_time(clock_days + t / 86400000UL, t % 86400000UL);
  }
  p = text;
  bool first = true;
  while (next_line(p, end, l) > 0) {
    if (is_key(l, PSTR("event"))) continue;
    if (first) { j_key(PSTR("data")); p7_put('{'); }
    j_key_text(l.key + 5, l.key_len - 5, first);
    for (uint8_t i = 0; i < l.val_len; i++) p7_put(l.val[i]);
  }
  if (!first) p7_put('}');
  mk_json_end();
}

static bool number_arg(const char *text, uint16_t n, const char *key_P, uint32_t &out) {
  const char *p = text, *end = text + n;
  Line l;
  int8_t kind;
  while ((kind = next_line(p, end, l))) {
    if (kind < 0 || !is_key(l, key_P)) continue;
    out = 0;
    if (!l.val_len || l.val_len > 10) return false;
    for (uint8_t i = 0; i < l.val_len; i++) {
      uint8_t d = l.val[i] - '0';
      if (!isdigit(l.val[i]) || out > (0xFFFFFFFFUL - d) / 10) return false;   // not a u32: refused
      out = out * 10 + d;
    }
    return true;
  }
  return false;
}

static void telemetry(uint8_t sub, char *text, uint16_t n) {
  uint32_t a, b;
  switch (sub) {
    case MK_TELEMETRY_PUT: telemetry_put(text, n); break;
    case MK_TELEMETRY_ACK:
      if (!number_arg(text, n, PSTR("upto"), a)) break;
      for (uint8_t i = 0; i < RING; i++)
        if (ring[i].len && ring[i].seq <= a) ring[i].len = 0;
      break;
    case MK_TELEMETRY_REPLAY: {
      if (!number_arg(text, n, PSTR("from"), a)) a = 0;
      if (!number_arg(text, n, PSTR("to"), b)) b = 0xFFFFFFFFUL;
      for (;;) {                           // in sequence order
        Record *best = 0;
        for (uint8_t i = 0; i < RING; i++) {
          Record &r = ring[i];
          if (r.len && r.seq >= a && r.seq <= b && (!best || r.seq < best->seq)) best = &r;
        }
        if (!best) break;
        emit_record(best->text, best->len, best->seq, best->uptime, best->timed, best->days, best->msday, true);
        if (best->seq == 0xFFFFFFFFUL) break;
        a = best->seq + 1;
      }
      break;
    }
    case MK_TELEMETRY_CLOCK: {
      const char *p = text, *end = text + n;
      Line l;
      bool ok = false;
      while (next_line(p, end, l) > 0)
        if (is_key(l, PSTR("time"))) ok = clock_set_from(l.val, l.val_len);
      if (!ok) mk_error(C_BAD_VALUE, MK_TELEMETRY, -1, E_BAD_TIME, Z_BAD_TIME);
      break;
    }
    case MK_TELEMETRY_EVENT: telemetry_event(text, n); break;
    default: mk_error(C_BADSUB, MK_TELEMETRY, -1, E_BADSUB, Z_BADSUB);
  }
}

void kit_sysex(uint8_t command, uint8_t *d, uint16_t n) {
  switch (command) {
    case MK_IDENTITY:   // the query may carry the host's random nonce: mixed in before any id is made
      for (uint16_t i = 0; i < n; i++) entropy_mix(micros() ^ ((uint32_t)d[i] << (7 * (i & 3))));
      send_identity();
      return;
    case MK_REPL: mk_error(C_UNSUPPORTED, MK_REPL, -1, E_REPL, Z_REPL); return;
  }
  if (n < 1) { mk_error(C_BADSUB, command, -1, E_BADSUB, Z_BADSUB); return; }
  uint8_t sub = d[0];
  uint16_t len = unpack7(d + 1, n - 1);
  char *text = (char *)(d + 1);
  if (command == MK_CONFIG) {
    if (sub == MK_CONFIG_SET) config_set(text, len);
    else if (sub == MK_CONFIG_GET) send_config(asks_password(text, len));
    else mk_error(C_BADSUB, command, -1, E_BADSUB, Z_BADSUB);
  } else {
    telemetry(sub, text, len);
  }
}

// ---- main loop ----------------------------------------------------------------------------------
void mk_setup() {
  Serial.begin(MK_BAUD);
  pins_reset();
  kit_setup();
  firmata_report_version();
  firmata_report_firmware();
}

void mk_loop() {
  if (Serial.available()) entropy_mix(micros());   // when host bytes arrive: jitter for the random ids
  for (uint8_t i = 0; i < 64 && Serial.available(); i++) firmata_feed(Serial.read());
  uint32_t now = millis();
  pins_poll(now);
  sensors_poll(now);
}
