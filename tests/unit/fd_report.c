// SPDX-License-Identifier: MIT
/*
 * Description: the helper test_descriptors executes. It prints one line
 * for each descriptor it was started with: "FD DEV INO" (of fstat(2)),
 * so that the parent can tell which of its descriptors crossed exec(2)
 * and whether each is still the same file.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	struct stat st;

	if (!dir)
		return 2;
	while ((de = readdir(dir))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(dir))
			continue;
		if (fstat(fd, &st) == 0)
			printf("%d %lu %lu\n", fd, (unsigned long)st.st_dev,
			       (unsigned long)st.st_ino);
	}
	closedir(dir);
	return 0;
}
