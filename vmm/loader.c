// SPDX-License-Identifier: MIT
/*
 * Guest programs: flat 32-bit binaries, built into gmem-vm or read from a
 * file, copied to GVM_LOAD_ADDR.
 *
 * The loader writes through the host's view of guest RAM, which works
 * because the guest_memfd starts shared; a confidential VMM would then
 * convert the image to private with PRESERVE and measure it (in-place
 * loading), which these guests do not need: they convert only the pages
 * they experiment on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

const struct guest_image *loader_find(const char *name)
{
	for (const struct guest_image *g = builtin_guests; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

int loader_read_file(const char *path, struct guest_image *image)
{
	unsigned char *data;
	FILE *f;
	size_t n;
	int err = 0;

	f = fopen(path, "rb");
	if (!f) {
		err = -errno;
		pr_err("%s: %s", path, strerror(errno));
		return err;
	}
	data = malloc(GVM_IMAGE_MAX + 1);
	if (!data) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(data, 1, GVM_IMAGE_MAX + 1, f);
	if (ferror(f)) {
		err = -EIO;
		pr_err("%s: read error", path);
	} else if (n == 0 || n > GVM_IMAGE_MAX) {
		err = -EFBIG;
		pr_err("%s: a guest program is 1 to %u bytes", path,
		       GVM_IMAGE_MAX);
	}
	fclose(f);
	if (err) {
		free(data);
		return err;
	}
	*image = (struct guest_image){
		.name = path,
		.summary = "a guest program read from a file",
		.data = data,
		.size = n,
		.allocated = true,
	};
	return 0;
}

int loader_load(struct vm *vm, const struct guest_image *image)
{
	if (!image->size || image->size > GVM_IMAGE_MAX) {
		pr_err("%s: a guest program is 1 to %u bytes", image->name,
		       GVM_IMAGE_MAX);
		return -EFBIG;
	}
	memcpy(memory_host_ptr(vm, GVM_LOAD_ADDR), image->data, image->size);
	return 0;
}

void loader_release(struct guest_image *image)
{
	if (image->allocated)
		free((void *)image->data);
	image->data = NULL;
	image->allocated = false;
}
