// SPDX-License-Identifier: MIT
#include "file.h"
#include "slot.h"

int file_close(void)
{
	return slot_unbind();
}
