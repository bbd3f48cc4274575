/* Shared between avrsim.c (the chip, the pty, the main loop) and avrsim_parts.c (the pins and
   what is wired to them). */
#ifndef AVRSIM_H
#define AVRSIM_H

#include <simavr/sim_avr.h>

#define NPINS 20                /* Arduino pin numbers: D0-D13 = 0-13, A0-A5 = 14-19 */

extern avr_t *avr;

void parts_init(void);          /* hook the pins, attach the I2C EEPROM (after avr_init) */
void parts_after_reset(void);
void parts_checkpoint(void);    /* every 100 us of simulated time: keep driven inputs driven */
int parts_command(int argc, char **argv);   /* 1 when it was a pin/part command (reply printed) */

#endif
