// Servo pulses on any digital pin, driven by Timer1 the way the Arduino Servo library does it:
// one pulse after the other in a 20 ms frame, the compare interrupt ending each pulse. While a
// servo is attached, PWM on D9/D10 (Timer1) is unavailable, as with the Arduino library.
#include "mk.h"

#define MAX_SERVOS 8
#define FRAME_TICKS 40000u     // 20 ms at 0.5 us per tick (prescaler 8)

struct Servo_ {
  uint8_t pin;                 // 0xFF: free
  volatile uint16_t ticks;     // pulse length in 0.5 us ticks
  uint16_t min_us, max_us;
};

static Servo_ servos[MAX_SERVOS];
static volatile int8_t channel = -1;
static uint8_t attached;

static void servo_timer_start() {
  TCCR1A = 0;
  TCCR1B = _BV(CS11);
  TCNT1 = 0;
  channel = -1;
  OCR1A = 200;
  TIFR1 = _BV(OCF1A);
  TIMSK1 |= _BV(OCIE1A);
}

static void servo_timer_stop() {
  TIMSK1 &= ~_BV(OCIE1A);
  TCCR1B = _BV(CS11) | _BV(CS10);   // back to the Arduino core's 8-bit phase-correct PWM set-up
  TCCR1A = _BV(WGM10);
}

ISR(TIMER1_COMPA_vect) {
  if (channel < 0) TCNT1 = 0;
  else if (servos[channel].pin != 0xFF) digitalWrite(servos[channel].pin, LOW);
  for (channel++; channel < MAX_SERVOS; channel++) {
    if (servos[channel].pin != 0xFF) {
      OCR1A = TCNT1 + servos[channel].ticks;
      digitalWrite(servos[channel].pin, HIGH);
      return;
    }
  }
  uint16_t now = TCNT1;
  OCR1A = (now + 8 < FRAME_TICKS) ? FRAME_TICKS : now + 8;
  channel = -1;
}

static int8_t find(uint8_t pin) {
  for (int8_t i = 0; i < MAX_SERVOS; i++)
    if (servos[i].pin == pin) return i;
  return -1;
}

bool servo_attach(uint8_t pin, uint16_t min_us, uint16_t max_us) {
  static bool initialised;
  if (!initialised) {
    for (uint8_t i = 0; i < MAX_SERVOS; i++) servos[i].pin = 0xFF;
    initialised = true;
  }
  if (min_us < 200) min_us = 544;
  if (max_us <= min_us || max_us > 3000) max_us = 2400;
  int8_t i = find(pin);
  if (i < 0) i = find(0xFF);
  if (i < 0) {
    static const char c[] PROGMEM = "too_many_servos";
    static const char e[] PROGMEM = "At most 8 servos can be attached at once.";
    static const char z[] PROGMEM = "最多只能同时接 8 个舵机。";
    mk_error(c, SERVO_CONFIG, pin, e, z);
    return false;
  }
  pinMode(pin, OUTPUT);
  digitalWrite(pin, LOW);
  uint8_t sreg = SREG;
  cli();
  bool was_free = servos[i].pin == 0xFF;
  servos[i].min_us = min_us;
  servos[i].max_us = max_us;
  servos[i].ticks = (uint16_t)(((uint32_t)min_us + max_us)); // centre: (min+max)/2 us = min+max ticks
  servos[i].pin = pin;
  SREG = sreg;
  if (was_free && attached++ == 0) servo_timer_start();
  return true;
}

void servo_detach(uint8_t pin) {
  if (!attached) return;
  int8_t i = find(pin);
  if (i < 0) return;
  uint8_t sreg = SREG;
  cli();
  servos[i].pin = 0xFF;
  SREG = sreg;
  digitalWrite(pin, LOW);
  if (--attached == 0) servo_timer_stop();
}

void servo_detach_all() {
  if (!attached) return;
  for (uint8_t i = 0; i < MAX_SERVOS; i++)
    if (servos[i].pin != 0xFF && attached) servo_detach(servos[i].pin);
}

void servo_write(uint8_t pin, uint16_t value) {
  if (!attached) return;
  int8_t i = find(pin);
  if (i < 0) return;
  uint16_t lo = servos[i].min_us, hi = servos[i].max_us;
  uint32_t us;
  if (value < 544) {                      // degrees, like Servo.write()
    if (value > 180) value = 180;
    us = lo + (uint32_t)(hi - lo) * value / 180;
  } else {
    us = value < lo ? lo : value > hi ? hi : value;
  }
  uint8_t sreg = SREG;
  cli();
  servos[i].ticks = us * 2;
  SREG = sreg;
}
