/* SPDX-License-Identifier: MIT */
/* A cycle for include-cycles.py to find: file.c calls into slot.c, whose
 * own file includes file.h, though no header includes the other. */
int file_close(void);
