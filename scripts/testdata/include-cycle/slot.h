/* SPDX-License-Identifier: MIT */
int slot_unbind(void);
