// Sensors with timing of their own: HC-SR04 distance (echo timed by a pin-change interrupt),
// DHT11/DHT22 temperature and humidity (single-wire protocol), and tones.
#include "mk.h"

static const char C_BAD_PIN[] PROGMEM = "bad_pin";
static const char E_SONAR[] PROGMEM = "The distance sensor needs two different digital pins.";
static const char Z_SONAR[] PROGMEM = "超声波测距模块需要两个不同的数字引脚。";
static const char C_FULL[] PROGMEM = "too_many_sensors";
static const char E_FULL[] PROGMEM = "At most 2 DHT sensors can be attached at once.";
static const char Z_FULL[] PROGMEM = "最多只能同时接 2 个 DHT 温湿度传感器。";
static const char C_BADLEN[] PROGMEM = "bad_request";
static const char E_BADLEN[] PROGMEM = "The command is missing some of its bytes.";
static const char Z_BADLEN[] PROGMEM = "这条命令缺少一些字节。";

// ---- HC-SR04 --------------------------------------------------------------------------------------
#define SONAR_PERIOD_MS 50
#define SONAR_TIMEOUT_MS 40
static uint8_t sonar_trig = 0xFF, sonar_echo = 0xFF;
static volatile uint8_t *echo_in;
static uint8_t echo_mask;
static volatile uint8_t echo_state;      // 0 idle, 1 armed, 2 echo high, 3 measured
static volatile uint32_t echo_rise, echo_width;
static uint32_t sonar_last;

static inline void echo_edge() {
  if (!echo_in) return;
  bool high = *echo_in & echo_mask;
  if (high && echo_state == 1) { echo_rise = micros(); echo_state = 2; }
  else if (!high && echo_state == 2) { echo_width = micros() - echo_rise; echo_state = 3; }
}

ISR(PCINT0_vect) { echo_edge(); }
ISR(PCINT1_vect) { echo_edge(); }
ISR(PCINT2_vect) { echo_edge(); }

static void echo_interrupt(uint8_t pin, bool on) {
  volatile uint8_t *mask = digitalPinToPCMSK(pin);
  if (on) {
    *mask |= _BV(digitalPinToPCMSKbit(pin));
    PCICR |= _BV(digitalPinToPCICRbit(pin));
  } else {
    *mask &= ~_BV(digitalPinToPCMSKbit(pin));
  }
}

void sonar_detach(uint8_t pin) {
  if (pin != sonar_trig && pin != sonar_echo) return;
  uint8_t trig = sonar_trig, echo = sonar_echo;
  sonar_trig = sonar_echo = 0xFF;
  echo_in = 0;
  echo_interrupt(echo, false);
  if (pin_mode[trig] == PIN_MODE_SONAR && trig != pin) pins_set_mode(trig, PIN_MODE_INPUT, SONAR_CONFIG);
  if (pin_mode[echo] == PIN_MODE_SONAR && echo != pin) pins_set_mode(echo, PIN_MODE_INPUT, SONAR_CONFIG);
}

void sonar_config(uint8_t trigger, uint8_t echo) {
  if (!pin_can(trigger, PIN_MODE_SONAR) || !pin_can(echo, PIN_MODE_SONAR) || trigger == echo) {
    mk_error(C_BAD_PIN, SONAR_CONFIG, pin_can(trigger, PIN_MODE_SONAR) ? echo : trigger, E_SONAR, Z_SONAR);
    return;
  }
  if (sonar_trig != 0xFF) sonar_detach(sonar_trig);
  pins_set_mode(trigger, PIN_MODE_SONAR, SONAR_CONFIG);
  pins_set_mode(echo, PIN_MODE_SONAR, SONAR_CONFIG);
  pinMode(trigger, OUTPUT);
  digitalWrite(trigger, LOW);
  pinMode(echo, INPUT);
  echo_in = portInputRegister(digitalPinToPort(echo));
  echo_mask = digitalPinToBitMask(echo);
  sonar_trig = trigger;
  sonar_echo = echo;
  echo_state = 0;
  echo_interrupt(echo, true);
  sonar_last = millis() - SONAR_PERIOD_MS;
}

static void sonar_send(uint16_t cm) {
  out_sysex_begin(SONAR_DATA);
  Serial.write(sonar_trig);
  out_u14(cm);
  out_sysex_end();
}

static void sonar_poll(uint32_t now) {
  if (sonar_trig == 0xFF) return;
  if (echo_state == 3) {
    uint32_t cm = echo_width / 58;
    echo_state = 0;
    sonar_send(cm > 500 ? 0 : (uint16_t)cm);
  } else if ((echo_state == 1 || echo_state == 2) && now - sonar_last >= SONAR_TIMEOUT_MS) {
    echo_state = 0;
    sonar_send(0);   // no echo: nothing in range
  }
  if (now - sonar_last >= SONAR_PERIOD_MS && echo_state == 0) {
    sonar_last = now;
    digitalWrite(sonar_trig, HIGH);
    delayMicroseconds(10);
    echo_state = 1;
    digitalWrite(sonar_trig, LOW);
  }
}

// ---- DHT11 / DHT22 --------------------------------------------------------------------------------
#define MAX_DHT 2
struct Dht { uint8_t pin, kind; uint16_t interval; uint32_t next; };
static Dht dhts[MAX_DHT];
static int8_t dht_busy = -1;             // sensor whose start signal is on the wire
static uint32_t dht_start;

static int8_t dht_find(uint8_t pin) {
  for (int8_t i = 0; i < MAX_DHT; i++)
    if (dhts[i].kind && dhts[i].pin == pin) return i;
  return -1;
}

void dht_detach(uint8_t pin) {
  int8_t i = dht_find(pin);
  if (i < 0) return;
  dhts[i].kind = 0;
  if (dht_busy == i) dht_busy = -1;
}

void dht_sysex(const uint8_t *d, uint16_t n) {
  if (n < 2) { mk_error(C_BADLEN, DHTSENSOR_DATA, -1, E_BADLEN, Z_BADLEN); return; }
  uint8_t sub = d[0], pin = d[1];
  if (sub == DHT_DETACH) {
    if (pin_mode[pin < TOTAL_PINS ? pin : 0] == PIN_MODE_DHT) pins_set_mode(pin, PIN_MODE_INPUT, DHTSENSOR_DATA);
    else dht_detach(pin);
    return;
  }
  if (sub != DHT_ATTACH_DHT11 && sub != DHT_ATTACH_DHT22) { mk_error(C_BADLEN, DHTSENSOR_DATA, pin, E_BADLEN, Z_BADLEN); return; }
  uint16_t interval = n >= 5 ? (d[3] | d[4] << 7) : 2000;
  if (interval < 500) interval = 500;
  int8_t i = dht_find(pin);
  if (i < 0) {
    for (int8_t j = 0; j < MAX_DHT; j++)
      if (!dhts[j].kind) { i = j; break; }
  }
  if (i < 0) { mk_error(C_FULL, DHTSENSOR_DATA, pin, E_FULL, Z_FULL); return; }
  if (!pins_set_mode(pin, PIN_MODE_DHT, DHTSENSOR_DATA)) return;
  pinMode(pin, INPUT_PULLUP);
  dhts[i].pin = pin;
  dhts[i].kind = sub == DHT_ATTACH_DHT11 ? 11 : 22;
  dhts[i].interval = interval;
  dhts[i].next = millis() + 100;
}

// microseconds until the line reaches `level`, or -1 after `limit` us
static int16_t dht_wait(volatile uint8_t *in, uint8_t mask, uint8_t level, uint16_t limit) {
  uint32_t t0 = micros();
  for (;;) {
    uint32_t dt = micros() - t0;
    if (((*in & mask) != 0) == level) return (int16_t)dt;
    if (dt > limit) return -1;
  }
}

static bool dht_read(uint8_t pin, uint8_t out[5]) {
  volatile uint8_t *in = portInputRegister(digitalPinToPort(pin));
  uint8_t mask = digitalPinToBitMask(pin);
  pinMode(pin, INPUT_PULLUP);                   // release the line: the sensor answers
  if (dht_wait(in, mask, 0, 200) < 0) return false;     // sensor pulls low (~80 us)
  if (dht_wait(in, mask, 1, 200) < 0) return false;     // then high (~80 us)
  if (dht_wait(in, mask, 0, 200) < 0) return false;
  for (uint8_t i = 0; i < 40; i++) {
    if (dht_wait(in, mask, 1, 150) < 0) return false;   // 50 us low before each bit
    int16_t high = dht_wait(in, mask, 0, 150);          // 26-28 us: 0, 70 us: 1
    if (high < 0) return false;
    out[i / 8] = (out[i / 8] << 1) | (high > 48 ? 1 : 0);
  }
  return (uint8_t)(out[0] + out[1] + out[2] + out[3]) == out[4];
}

static void dht_poll(uint32_t now) {
  if (dht_busy < 0) {
    for (int8_t i = 0; i < MAX_DHT; i++) {
      if (dhts[i].kind && (int32_t)(now - dhts[i].next) >= 0) {
        dht_busy = i;
        dht_start = now;
        pinMode(dhts[i].pin, OUTPUT);           // start signal: hold the line low
        digitalWrite(dhts[i].pin, LOW);
        return;
      }
    }
    return;
  }
  Dht &s = dhts[dht_busy];
  if (now - dht_start < (s.kind == 11 ? 20u : 2u)) return;
  uint8_t b[5] = {0, 0, 0, 0, 0};
  bool ok = dht_read(s.pin, b);
  s.next = now + s.interval;
  uint8_t pin = s.pin;
  uint8_t kind = s.kind;
  dht_busy = -1;
  out_sysex_begin(DHTSENSOR_DATA);
  if (!ok) {
    Serial.write(DHT_ERROR);
    Serial.write(pin);
    out_sysex_end();
    return;
  }
  int16_t t, h;
  if (kind == 22) {
    h = (b[0] << 8) | b[1];
    t = ((b[2] & 0x7F) << 8) | b[3];
    if (b[2] & 0x80) t = -t;
  } else {
    h = b[0] * 10 + b[1];
    t = b[2] * 10 + (b[3] & 0x7F);
    if (b[3] & 0x80) t = -t;
  }
  Serial.write(DHT_RESPONSE);
  Serial.write(pin);
  out_u14((uint16_t)t & 0x3FFF);
  out_u14((uint16_t)h & 0x3FFF);
  out_sysex_end();
}

// ---- tone ---------------------------------------------------------------------------------------
void tone_sysex(const uint8_t *d, uint16_t n) {
  if (n < 2) { mk_error(C_BADLEN, TONE_DATA, -1, E_BADLEN, Z_BADLEN); return; }
  uint8_t pin = d[1];
  if (d[0] == TONE_NO_TONE) {
    if (pin < TOTAL_PINS && pin_mode[pin] == PIN_MODE_TONE) noTone(pin);
    return;
  }
  if (n < 4) { mk_error(C_BADLEN, TONE_DATA, pin, E_BADLEN, Z_BADLEN); return; }
  uint16_t freq = d[2] | d[3] << 7;
  uint16_t duration = n >= 6 ? (d[4] | d[5] << 7) : 0;
  if (pin_mode[pin < TOTAL_PINS ? pin : 0] != PIN_MODE_TONE && !pins_set_mode(pin, PIN_MODE_TONE, TONE_DATA)) return;
  if (freq == 0) noTone(pin);
  else if (duration) tone(pin, freq, duration);
  else tone(pin, freq);
}

void sensors_poll(uint32_t now) {
  sonar_poll(now);
  dht_poll(now);
}

void sensors_reset() {
  if (sonar_trig != 0xFF) sonar_detach(sonar_trig);
  for (uint8_t i = 0; i < MAX_DHT; i++) dhts[i].kind = 0;
  dht_busy = -1;
  for (uint8_t pin = 2; pin < TOTAL_PINS; pin++)
    if (pin_mode[pin] == PIN_MODE_TONE) noTone(pin);
}
