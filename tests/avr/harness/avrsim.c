/*
 * avrsim: an emulated Arduino Uno (ATmega328P at 16 MHz) for makerkit's tests, on Debian's simavr.
 *
 *   avrsim [--boot optiboot.hex] [--app app.hex] [--eeprom FILE] [--no-reset-on-open]
 *          [--speed X] [--freq HZ] [--startup-ms MS]
 *
 * UART0 is bridged to a pseudo-terminal that pyserial (or avrdude) opens like a board. A pty has no
 * DTR line, so every open of the pty's slave side (seen through inotify, so quick close/reopen
 * cycles are never missed) is treated as the DTR reset a real Uno does when its port opens; that
 * can be turned off (--no-reset-on-open) to model a board whose reset never comes.
 *
 * Line speed is checked as on a real wire: when the baud rate the host set on the pty differs from
 * the one the firmware set in UBRR0 by more than 5%, every byte arrives as garbage (0x00), both ways
 * (so a host must find out at which speed a board talks, as with real StandardFirmata at 57600).
 *
 * After a reset the chip stays in reset for its start-up time (the Uno's fuses: 65 ms), as a real
 * one does, so a host that opens the port sees nothing from the board until then.
 *
 * Simulated time is throttled to the wall clock (times --speed; 0 = as fast as possible), never
 * running ahead of it, so millis()-based sampling and wire timing are real.
 *
 * Control channel: line commands on stdin, one reply line each on stdout ("ok ..." / "err ...").
 * The first line printed is "ready <pty path>". Pins are Arduino numbers (D0-D13 = 0-13, A0-A5 = 14-19).
 *   get N            -> ok LEVEL DDR PORT       level seen on the pin (output: driven; input: read)
 *   set N 0|1|z      -> ok                      drive an input from outside (z: release)
 *   adc CH COUNTS    -> ok                      put COUNTS/1023 of AVCC on ADC channel CH
 *   pwm N            -> ok DUTY OCR             PWM duty 0..1 (a steady output: 0 or 1; an input: -1)
 *   pulse N          -> ok WIDTH_US PERIOD_US COUNT   last high pulse on the pin (servo, sonar)
 *   reset            -> ok                      external reset (the reset button, DTR)
 *   poweron          -> ok                      power-on reset (Optiboot starts the app at once)
 *   time             -> ok SECONDS LAG_MS        simulated time, and how far it trails the wall clock
 *   opens            -> ok N                    how many times the pty was opened
 *   flash FILE START LEN -> ok                  dump LEN bytes of flash from START to FILE
 *   eeprom FILE      -> ok                      dump the EEPROM to FILE
 *   sonar TRIG ECHO CM -> ok                    wire an HC-SR04 (CM < 0: no echo)
 *   dht PIN KIND TEMP HUM -> ok                 wire a DHT11/DHT22 (KIND 11 or 22; KIND 0 unplugs it)
 *   i2c              -> ok HEX                  the 256-byte I2C EEPROM (24C02) at address 0x50
 *   stuck ADDR VALUE -> ok                      a worn flash cell: ADDR always reads VALUE (-1 heals it)
 *   speed X          -> ok
 *   quit             -> ok (and exit)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <simavr/avr_eeprom.h>
#include <simavr/avr_extint.h>
#include <simavr/avr_uart.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_hex.h>
#include <simavr/sim_irq.h>
#include <simavr/sim_time.h>
#include <simavr/sim_cycle_timers.h>

#include "avrsim.h"

#define MCUSR_ADDR 0x54
#define RXBUF 65536

avr_t *avr;
static int master_fd = -1, ino_fd = -1;
static char slave_name[128];
static int reset_on_open = 1, slave_open = 0, opens = 0;
static double speed = 1.0;
static uint32_t boot_pc = 0;

static uint8_t rx_buf[RXBUF];            /* host -> AVR, waiting for room in the UART fifo */
static size_t rx_head, rx_tail;
static uint8_t tx_buf[RXBUF];            /* AVR -> host, written at the next checkpoint */
static size_t tx_len;
static int uart_xon = 1;
static avr_irq_t *uart_in_irq;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void uart_out_hook(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq; (void)param;
    if (slave_open && tx_len < sizeof tx_buf)   /* a closed USB port drops what the chip sends */
        tx_buf[tx_len++] = (uint8_t)value;
}

static void xon_hook(struct avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; uart_xon = 1; }
static void xoff_hook(struct avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; uart_xon = 0; }

static avr_cycle_count_t rx_timer(avr_t *a, avr_cycle_count_t when, void *param);
static int rx_timer_active;

static void after_reset(int flags) {
    avr->pc = boot_pc;
    avr->data[MCUSR_ADDR] = flags;
    for (int i = 0; i < 2; i++) avr_extint_set_strict_lvl_trig(avr, i, 0);
    parts_after_reset();
    avr_cycle_timer_cancel(avr, rx_timer, NULL);
    rx_timer_active = 0;
    rx_head = rx_tail = 0;
    uart_xon = 1;
}

static double held_until, startup_s = 0.065;
static double now_s(void);

static void do_reset(int flags) {
    avr_reset(avr);
    after_reset(flags);
    held_until = now_s() + startup_s;     /* SUT fuses: the clock settles before the first instruction */
}

static int load_hex(const char *path) {
    ihex_chunk_p chunks = NULL;
    int n = read_ihex_chunks(path, &chunks);
    if (n <= 0) { fprintf(stderr, "avrsim: cannot read %s\n", path); return -1; }
    uint32_t lowest = 0xFFFFFFFF;
    for (int i = 0; i < n; i++) {
        if (chunks[i].baseaddr + chunks[i].size > avr->flashend + 1) {
            fprintf(stderr, "avrsim: %s does not fit in flash\n", path); return -1;
        }
        memcpy(avr->flash + chunks[i].baseaddr, chunks[i].data, chunks[i].size);
        if (chunks[i].baseaddr < lowest) lowest = chunks[i].baseaddr;
    }
    free_ihex_chunks(chunks);
    return (int)lowest;
}

static void open_pty(void) {
    int slave;
    struct termios t;
    if (openpty(&master_fd, &slave, slave_name, NULL, NULL) < 0) { perror("openpty"); exit(1); }
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    close(slave);
    fcntl(master_fd, F_SETFL, fcntl(master_fd, F_GETFL) | O_NONBLOCK);
    ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ino_fd < 0 || inotify_add_watch(ino_fd, slave_name, IN_OPEN | IN_CLOSE) < 0) {
        perror("inotify"); exit(1);
    }
}

static void check_slave_open(void) {
    struct pollfd p = {.fd = master_fd, .events = POLLIN};
    poll(&p, 1, 0);
    slave_open = !(p.revents & POLLHUP);
}

static void handle_inotify(void) {
    char buf[4096] __attribute__((aligned(8)));
    ssize_t len;
    while ((len = read(ino_fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + len;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            if (ev->mask & IN_OPEN) {
                opens++;
                tx_len = 0;
                if (reset_on_open) do_reset(2);   /* EXTRF: DTR pulls RESET low through 100 nF */
            }
            p += sizeof *ev + ev->len;
        }
    }
    check_slave_open();
}

static long host_baud(void) {
    struct termios t;
    static const struct { speed_t code; long baud; } rates[] = {
        {B1200, 1200}, {B2400, 2400}, {B4800, 4800}, {B9600, 9600}, {B19200, 19200}, {B38400, 38400},
        {B57600, 57600}, {B115200, 115200}, {B230400, 230400}, {B460800, 460800}, {B500000, 500000},
        {B921600, 921600}, {B1000000, 1000000}};
    if (tcgetattr(master_fd, &t) < 0) return 0;   /* termios calls on the master act on the slave */
    speed_t code = cfgetospeed(&t);
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        if (rates[i].code == code) return rates[i].baud;
    return 0;
}

static int baud_mismatch(void) {
    uint16_t ubrr = avr->data[0xC4] | (avr->data[0xC5] & 0x0F) << 8;
    int u2x = avr->data[0xC0] & 0x02;
    double avr_baud = (double)avr->frequency / ((u2x ? 8 : 16) * (ubrr + 1.0));
    long host = host_baud();
    if (!host) return 0;
    double ratio = avr_baud / host;
    return ratio < 0.95 || ratio > 1.05;
}

/* Host -> AVR bytes enter the UART one per byte time (10 bits at the AVR's baud rate), as on a wire:
   simavr alone would hand them over as fast as the firmware reads them. */

static avr_cycle_count_t byte_cycles(void) {
    uint16_t ubrr = avr->data[0xC4] | (avr->data[0xC5] & 0x0F) << 8;
    int u2x = avr->data[0xC0] & 0x02;
    return (avr_cycle_count_t)10 * (u2x ? 8 : 16) * (ubrr + 1);
}

static avr_cycle_count_t rx_timer(avr_t *a, avr_cycle_count_t when, void *param) {
    (void)a; (void)param;
    if (rx_head == rx_tail) { rx_timer_active = 0; return 0; }
    if (uart_xon) {
        uint8_t b = baud_mismatch() ? 0x00 : rx_buf[rx_tail];
        rx_tail = (rx_tail + 1) % RXBUF;
        avr_raise_irq(uart_in_irq, b);
    }
    return when + byte_cycles();
}

static void pump_uart(void) {
    if (rx_head != rx_tail && !rx_timer_active) {
        rx_timer_active = 1;
        avr_cycle_timer_register(avr, byte_cycles(), rx_timer, NULL);
    }
}

static void flush_tx(void) {
    if (!tx_len) return;
    if (slave_open && baud_mismatch()) memset(tx_buf, 0, tx_len);
    if (slave_open) {
        ssize_t w = write(master_fd, tx_buf, tx_len);
        if (w > 0 && (size_t)w < tx_len) { memmove(tx_buf, tx_buf + w, tx_len - w); tx_len -= w; return; }
    }
    tx_len = 0;
}

static void read_master(void) {
    uint8_t buf[4096];
    ssize_t r;
    while ((r = read(master_fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r; i++) {
            size_t next = (rx_head + 1) % RXBUF;
            if (next == rx_tail) break;
            rx_buf[rx_head] = buf[i];
            rx_head = next;
        }
    }
}

static int dump(const char *path, const uint8_t *mem, uint32_t start, uint32_t len, uint32_t size) {
    if (start + len > size) return -1;
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fwrite(mem + start, 1, len, f);
    fclose(f);
    return 0;
}

static void eeprom_io(const char *path, int save) {
    static uint8_t ee[1024];
    avr_eeprom_desc_t d = {.ee = ee, .offset = 0, .size = avr->e2end + 1};
    if (save) {
        avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &d);
        FILE *f = fopen(path, "wb");
        if (f) { fwrite(d.ee, 1, d.size, f); fclose(f); }
    } else {
        FILE *f = fopen(path, "rb");
        if (!f) return;
        memset(ee, 0xFF, sizeof ee);
        size_t got = fread(ee, 1, d.size, f);
        fclose(f);
        (void)got;
        d.ee = ee;
        avr_ioctl(avr, AVR_IOCTL_EEPROM_SET, &d);
    }
}

static long stuck_addr = -1;
static uint8_t stuck_value;

static double sim_time(void) { return (double)avr->cycle / avr->frequency; }
static double anchor_wall, anchor_sim, lag;

static int command(char *line) {
    char *argv[8] = {0};
    int argc = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok && argc < 8; tok = strtok(NULL, " \t\r\n")) argv[argc++] = tok;
    if (!argc) return 0;
    const char *c = argv[0];
    if (parts_command(argc, argv)) {
        /* a pin, ADC or part command: answered */
    } else if (!strcmp(c, "reset")) {
        do_reset(2); printf("ok\n");
    } else if (!strcmp(c, "poweron")) {
        do_reset(1); printf("ok\n");
    } else if (!strcmp(c, "time")) {
        printf("ok %.6f %.3f\n", sim_time(), lag * 1000);
    } else if (!strcmp(c, "opens")) {
        printf("ok %d\n", opens);
    } else if (!strcmp(c, "flash") && argc == 4) {
        printf(dump(argv[1], avr->flash, strtoul(argv[2], 0, 0), strtoul(argv[3], 0, 0), avr->flashend + 1) ? "err dump\n" : "ok\n");
    } else if (!strcmp(c, "eeprom") && argc == 2) {
        eeprom_io(argv[1], 1); printf("ok\n");
    } else if (!strcmp(c, "stuck") && argc == 3) {
        stuck_addr = strtol(argv[1], 0, 0); stuck_value = (uint8_t)strtoul(argv[2], 0, 0);
        if (stuck_addr > (long)avr->flashend) stuck_addr = -1;
        printf("ok\n");
    } else if (!strcmp(c, "speed") && argc == 2) {
        speed = atof(argv[1]); anchor_wall = now_s(); anchor_sim = sim_time(); printf("ok\n");
    } else if (!strcmp(c, "quit")) {
        printf("ok\n"); fflush(stdout); return 1;
    } else {
        printf("err unknown command\n");
    }
    fflush(stdout);
    return 0;
}

static int read_commands(void) {
    static char buf[4096];
    static size_t len;
    ssize_t r = read(0, buf + len, sizeof buf - 1 - len);
    if (r == 0) return 1;                 /* the test went away: stop */
    if (r < 0) return errno == EAGAIN ? 0 : 1;
    len += r;
    char *nl;
    while ((nl = memchr(buf, '\n', len))) {
        *nl = 0;
        if (command(buf)) return 1;
        size_t used = nl - buf + 1;
        memmove(buf, buf + used, len - used);
        len -= used;
    }
    if (len == sizeof buf - 1) len = 0;
    return 0;
}

int main(int argc, char **argv) {
    const char *boot = NULL, *app = NULL, *eeprom = NULL;
    uint32_t freq = 16000000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--boot") && i + 1 < argc) boot = argv[++i];
        else if (!strcmp(argv[i], "--app") && i + 1 < argc) app = argv[++i];
        else if (!strcmp(argv[i], "--eeprom") && i + 1 < argc) eeprom = argv[++i];
        else if (!strcmp(argv[i], "--speed") && i + 1 < argc) speed = atof(argv[++i]);
        else if (!strcmp(argv[i], "--freq") && i + 1 < argc) freq = strtoul(argv[++i], 0, 0);
        else if (!strcmp(argv[i], "--no-reset-on-open")) reset_on_open = 0;
        else if (!strcmp(argv[i], "--startup-ms") && i + 1 < argc) startup_s = atof(argv[++i]) / 1000.0;
        else { fprintf(stderr, "usage: avrsim [--boot HEX] [--app HEX] [--eeprom FILE] [--no-reset-on-open] [--speed X] [--startup-ms MS]\n"); return 2; }
    }
    signal(SIGPIPE, SIG_IGN);
    avr = avr_make_mcu_by_name("atmega328p");
    if (!avr) { fprintf(stderr, "avrsim: no atmega328p in simavr\n"); return 1; }
    avr_init(avr);
    avr->frequency = freq;
    avr->vcc = avr->avcc = avr->aref = 5000;
    avr->run_cycle_limit = 2000;
    avr->log = 0;
    memset(avr->flash, 0xFF, avr->flashend + 1);
    if (app && load_hex(app) < 0) return 1;
    if (boot) {
        int at = load_hex(boot);
        if (at < 0) return 1;
        boot_pc = (uint32_t)at;           /* BOOTRST fuse programmed: reset jumps to the bootloader */
    }
    avr->reset_pc = boot_pc;
    avr->codeend = avr->flashend;
    if (eeprom) eeprom_io(eeprom, 0);

    uint32_t flags = 0;
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    uart_in_irq = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_out_hook, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), xon_hook, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), xoff_hook, NULL);
    parts_init();
    do_reset(1);
    open_pty();
    check_slave_open();
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    printf("ready %s\n", slave_name);
    fflush(stdout);

    const avr_cycle_count_t step = freq / 10000;   /* checkpoint every 100 us of simulated time */
    avr_cycle_count_t next_check = avr->cycle + step;
    anchor_wall = now_s();
    anchor_sim = sim_time();
    for (;;) {
        if (held_until) {                 /* in reset: no instructions, host bytes are lost */
            double left = held_until - now_s();
            if (left <= 0) {
                held_until = 0;
                anchor_wall = now_s();
                anchor_sim = sim_time();
                next_check = avr->cycle + step;
                continue;
            }
            struct pollfd p[3] = {{.fd = 0, .events = POLLIN}, {.fd = ino_fd, .events = POLLIN},
                                  {.fd = master_fd, .events = POLLIN}};
            struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(left * 1e9)};
            int nfds = slave_open ? 3 : 2;
            if (ppoll(p, nfds, &ts, NULL) > 0) {
                if (p[0].revents & (POLLIN | POLLHUP)) { if (read_commands()) break; }
                if (p[1].revents & POLLIN) handle_inotify();
                if (nfds == 3 && p[2].revents & POLLIN) { read_master(); rx_head = rx_tail = 0; }
                if (nfds == 3 && p[2].revents & POLLHUP) check_slave_open();
            }
            continue;
        }
        int state = avr_run(avr);
        if (state == cpu_Done || state == cpu_Crashed) {
            /* a crashed or stopped core sits there like a board with a dead sketch (Optiboot
             * jumping into a blank flash after its watchdog ends up here). Its time goes on:
             * without this the cycle count would stand still and the checkpoint below, which
             * serves the pty and the control channel, would never come again. */
            avr->state = cpu_Sleeping;
            if (avr->cycle < next_check) avr->cycle = next_check;
        }
        if (avr->cycle < next_check) continue;
        next_check = avr->cycle + step;
        for (int i = 0; i < 2; i++) avr_extint_set_strict_lvl_trig(avr, i, 0);
        parts_checkpoint();
        if (stuck_addr >= 0) avr->flash[stuck_addr] = stuck_value;
        flush_tx();
        /* wait for the wall clock (and for I/O) when simulated time is ahead */
        double wait = 0;
        if (speed > 0) {
            double ahead = (sim_time() - anchor_sim) / speed - (now_s() - anchor_wall);
            if (ahead > 0) wait = ahead;
            lag = ahead < 0 ? -ahead : 0;
            if (ahead < -0.25) { anchor_wall = now_s(); anchor_sim = sim_time(); }  /* cannot catch up: re-anchor */
        }
        struct pollfd p[3] = {{.fd = 0, .events = POLLIN}, {.fd = ino_fd, .events = POLLIN},
                              {.fd = master_fd, .events = POLLIN}};
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(wait * 1e9)};
        int nfds = slave_open ? 3 : 2;
        if (ppoll(p, nfds, &ts, NULL) > 0) {
            if (p[0].revents & (POLLIN | POLLHUP)) { if (read_commands()) break; }
            if (p[1].revents & POLLIN) handle_inotify();
            if (nfds == 3 && p[2].revents & POLLIN) read_master();
            if (nfds == 3 && p[2].revents & POLLHUP) check_slave_open();
        }
        pump_uart();
    }
    if (eeprom) eeprom_io(eeprom, 1);
    return 0;
}
