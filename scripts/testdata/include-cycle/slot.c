// SPDX-License-Identifier: MIT
#include "file.h"
#include "slot.h"

int slot_unbind(void)
{
	return 0;
}
