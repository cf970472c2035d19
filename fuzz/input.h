/* SPDX-License-Identifier: MIT */
/*
 * How a fuzz target reads its input: byte by byte, with zeros once the
 * input runs out, so every input, however short, decodes to something.
 */
#ifndef GMEM_FUZZ_INPUT_H
#define GMEM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t in8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint64_t in64(struct input *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)in8(in) << (8 * i);
	return v;
}

#endif
