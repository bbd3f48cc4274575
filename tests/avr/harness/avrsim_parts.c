/*
 * avrsim_parts.c: what is wired to the emulated Uno's pins, and the control commands about them.
 *
 * Pin levels and pulse timing (servo, tone) from the I/O port IRQs; PWM duty from the timers' COM
 * bits and OCR registers; inputs driven from outside; ADC values; an HC-SR04 and a DHT11/22 model
 * on simavr cycle timers (microsecond-exact); a 24C02 EEPROM on the I2C bus (simavr's part).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <simavr/avr_adc.h>
#include <simavr/avr_ioport.h>
#include <simavr/avr_twi.h>
#include <simavr/sim_cycle_timers.h>
#include <simavr/sim_irq.h>
#include <simavr/sim_time.h>
#include <simavr/parts/i2c_eeprom.h>

#include "avrsim.h"

/* pin bookkeeping */
static const char pin_port[NPINS] = {'D','D','D','D','D','D','D','D','B','B','B','B','B','B','C','C','C','C','C','C'};
static const uint8_t pin_bit[NPINS] = {0,1,2,3,4,5,6,7,0,1,2,3,4,5,0,1,2,3,4,5};
static avr_irq_t *pin_irq[NPINS];
static int ext_drive[NPINS];             /* -1 released, 0/1 driven from outside */
static avr_cycle_count_t rise_at[NPINS], last_width[NPINS], last_period[NPINS];
static unsigned long pulse_count[NPINS];
static int last_level[NPINS];

/* HC-SR04 model: the echo pin goes high ~250 us after the trigger pulse ends, for 58 us per cm */
static int sonar_trig = -1, sonar_echo = -1;
static double sonar_cm = -1;
static int echo_busy;

/* DHT11/22 model: answers a start signal (line held low >= 0.5 ms, then released) with 40 bits */
static int dht_pin = -1, dht_kind, dht_phase, dht_driving;
static uint8_t dht_bytes[5];
static avr_cycle_count_t dht_low_at;

static i2c_eeprom_t i2c_ee;

static uint8_t port_reg(char port, int kind) {  /* kind 0 PIN, 1 DDR, 2 PORT */
    int base = port == 'B' ? 0x23 : port == 'C' ? 0x26 : 0x29;
    return avr->data[base + kind];
}

static void drive(int n, int level) {
    avr_raise_irq(pin_irq[n], level);
}

static avr_cycle_count_t echo_timer(avr_t *a, avr_cycle_count_t when, void *param) {
    (void)param;
    if (sonar_echo < 0) { echo_busy = 0; return 0; }
    if (echo_busy == 1) {
        drive(sonar_echo, 1);
        echo_busy = 2;
        return when + avr_usec_to_cycles(a, (uint32_t)(sonar_cm * 58.3));
    }
    drive(sonar_echo, 0);
    echo_busy = 0;
    return 0;
}

static avr_cycle_count_t dht_timer(avr_t *a, avr_cycle_count_t when, void *param) {
    (void)param;
    /* phases: 0 low 80, 1 high 80, then per bit: low 50, high 27/70; then low 50, release */
    int phase = dht_phase++;
    uint32_t us;
    int level;
    if (dht_pin < 0) { dht_driving = 0; return 0; }
    if (phase == 0) { level = 0; us = 80; }
    else if (phase == 1) { level = 1; us = 80; }
    else if (phase < 82) {
        int bit = (phase - 2) / 2;
        if ((phase - 2) % 2 == 0) { level = 0; us = 50; }
        else { level = 1; us = (dht_bytes[bit / 8] >> (7 - bit % 8)) & 1 ? 70 : 27; }
    } else if (phase == 82) { level = 0; us = 50; }
    else { drive(dht_pin, 1); dht_driving = 0; return 0; }
    drive(dht_pin, level);
    return when + avr_usec_to_cycles(a, us);
}

static void pin_hook(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    int n = (int)(intptr_t)param;
    int level = value & 1;
    if (level == last_level[n]) return;
    last_level[n] = level;
    if (level) {
        if (rise_at[n]) last_period[n] = avr->cycle - rise_at[n];
        rise_at[n] = avr->cycle;
    } else if (rise_at[n]) {
        last_width[n] = avr->cycle - rise_at[n];
        pulse_count[n]++;
        if (n == sonar_trig && sonar_echo >= 0 && sonar_cm >= 0 && !echo_busy) {
            echo_busy = 1;
            avr_cycle_timer_register_usec(avr, 250, echo_timer, NULL);
        }
    }
    if (n == dht_pin && !dht_driving) {
        if (!level) dht_low_at = avr->cycle;
        else if (dht_low_at && avr->cycle - dht_low_at >= avr_usec_to_cycles(avr, 500)) {
            dht_low_at = 0;
            dht_driving = 1;
            dht_phase = 0;
            avr_cycle_timer_register_usec(avr, 30, dht_timer, NULL);
        }
    }
}

static void enforce_inputs(void) {
    for (int n = 0; n < NPINS; n++) {
        if (ext_drive[n] < 0) continue;
        uint8_t mask = 1 << pin_bit[n];
        int base = pin_port[n] == 'B' ? 0x23 : pin_port[n] == 'C' ? 0x26 : 0x29;
        if (avr->data[base + 1] & mask) continue;           /* the AVR drives it: no contest */
        if (((avr->data[base] & mask) != 0) != ext_drive[n]) drive(n, ext_drive[n]);
    }
}

static int pin_arg(const char *s) {
    int n = atoi(s);
    return (n >= 0 && n < NPINS) ? n : -1;
}

static void pwm_of(int n, double *duty, int *ocr) {
    /* (pin, TCCRnA, OCR address, COM shift) for the Uno's six PWM pins */
    static const struct { int pin, tccr, ocr, shift; } t[] = {
        {6, 0x44, 0x47, 6}, {5, 0x44, 0x48, 4}, {9, 0x80, 0x88, 6},
        {10, 0x80, 0x8A, 4}, {11, 0xB0, 0xB3, 6}, {3, 0xB0, 0xB4, 4}};
    *duty = -1; *ocr = -1;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (t[i].pin != n) continue;
        int com = (avr->data[t[i].tccr] >> t[i].shift) & 3;
        if (com == 2) { *ocr = avr->data[t[i].ocr]; *duty = *ocr / 255.0; }
        else if (com == 3) { *ocr = avr->data[t[i].ocr]; *duty = 1.0 - *ocr / 255.0; }
    }
}


void parts_init(void) {
    for (int n = 0; n < NPINS; n++) {
        pin_irq[n] = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(pin_port[n]), pin_bit[n]);
        avr_irq_register_notify(pin_irq[n], pin_hook, (void *)(intptr_t)n);
        ext_drive[n] = -1;
    }
    i2c_eeprom_init(avr, &i2c_ee, 0xA0, 0x01, NULL, 256);   /* a 24C02 at I2C address 0x50 */
    i2c_eeprom_attach(avr, &i2c_ee, AVR_IOCTL_TWI_GETIRQ(0));
}

void parts_after_reset(void) {
    for (int n = 0; n < NPINS; n++) last_level[n] = 0;
    echo_busy = 0; dht_driving = 0; dht_low_at = 0;
}

void parts_checkpoint(void) { enforce_inputs(); }

int parts_command(int argc, char **argv) {
    const char *c = argv[0];
    int n;
    if (!strcmp(c, "get") && argc == 2 && (n = pin_arg(argv[1])) >= 0) {
        uint8_t m = 1 << pin_bit[n];
        int ddr = !!(port_reg(pin_port[n], 1) & m), port = !!(port_reg(pin_port[n], 2) & m);
        int level = ddr ? port : !!(port_reg(pin_port[n], 0) & m);
        printf("ok %d %d %d\n", level, ddr, port);
    } else if (!strcmp(c, "set") && argc == 3 && (n = pin_arg(argv[1])) >= 0) {
        if (argv[2][0] == 'z') {
            ext_drive[n] = -1;
            uint8_t m = 1 << pin_bit[n];
            drive(n, !!(port_reg(pin_port[n], 2) & m));   /* the pull-up (if on) wins again */
        } else {
            ext_drive[n] = atoi(argv[2]) ? 1 : 0;
            drive(n, ext_drive[n]);
        }
        printf("ok\n");
    } else if (!strcmp(c, "adc") && argc == 3) {
        int ch = atoi(argv[1]);
        long counts = atol(argv[2]);
        if (ch < 0 || ch > 7 || counts < 0 || counts > 1023) { printf("err range\n"); return 1; }
        /* simavr reads mV * 1023 / AVCC, truncated (one count below a real ADC's mV * 1024 / AVCC):
           the smallest whole mV that reads COUNTS */
        uint32_t mv = (uint32_t)((counts * 5000 + 1022) / 1023);
        if (mv > 5000) mv = 5000;
        avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + ch), mv);
        printf("ok\n");
    } else if (!strcmp(c, "pwm") && argc == 2 && (n = pin_arg(argv[1])) >= 0) {
        double duty; int ocr;
        pwm_of(n, &duty, &ocr);
        if (ocr < 0) {   /* no timer output on the pin: a steady level is 0 % or 100 % duty */
            uint8_t m = 1 << pin_bit[n];
            if (port_reg(pin_port[n], 1) & m) duty = (port_reg(pin_port[n], 2) & m) ? 1.0 : 0.0;
        }
        printf("ok %.4f %d\n", duty, ocr);
    } else if (!strcmp(c, "pulse") && argc == 2 && (n = pin_arg(argv[1])) >= 0) {
        printf("ok %.1f %.1f %lu\n", last_width[n] * 1e6 / avr->frequency,
               last_period[n] * 1e6 / avr->frequency, pulse_count[n]);
    } else if (!strcmp(c, "sonar") && argc == 4) {
        sonar_trig = pin_arg(argv[1]); sonar_echo = pin_arg(argv[2]); sonar_cm = atof(argv[3]);
        if (sonar_echo >= 0) { ext_drive[sonar_echo] = -1; drive(sonar_echo, 0); }
        printf("ok\n");
    } else if (!strcmp(c, "dht") && argc == 5 && (n = pin_arg(argv[1])) >= 0) {
        int kind = atoi(argv[2]);
        double t = atof(argv[3]), h = atof(argv[4]);
        dht_pin = kind ? n : -1;
        dht_kind = kind;
        if (kind == 22) {
            int ti = (int)(t < 0 ? -t * 10 + 0.5 : t * 10 + 0.5), hi = (int)(h * 10 + 0.5);
            dht_bytes[0] = hi >> 8; dht_bytes[1] = hi & 0xFF;
            dht_bytes[2] = (ti >> 8) | (t < 0 ? 0x80 : 0); dht_bytes[3] = ti & 0xFF;
        } else {
            int ti = (int)(t < 0 ? -t * 10 + 0.5 : t * 10 + 0.5), hi = (int)(h * 10 + 0.5);
            dht_bytes[0] = hi / 10; dht_bytes[1] = hi % 10;
            dht_bytes[2] = ti / 10; dht_bytes[3] = (ti % 10) | (t < 0 ? 0x80 : 0);
        }
        dht_bytes[4] = dht_bytes[0] + dht_bytes[1] + dht_bytes[2] + dht_bytes[3];
        if (dht_pin >= 0) { ext_drive[n] = -1; drive(n, 1); }
        printf("ok\n");
    } else if (!strcmp(c, "i2c")) {
        printf("ok ");
        for (int i = 0; i < 256; i++) printf("%02x", i2c_ee.ee[i]);
        printf("\n");
    } else {
        return 0;
    }
    return 1;
}
