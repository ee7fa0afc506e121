/* file.h - the small files the core reads and writes itself: tokens, caches. Secrets
 * files are written as the style asks: a temp file beside the target, the mode set
 * before any byte is written, fsync, rename, fsync of the folder. */
#ifndef IAMSH_FILE_H
#define IAMSH_FILE_H
#include <stddef.h>
#include <sys/types.h>

#include "iamsh/buf.h"

/* The whole file into out (appended). 0, or -1 with errno: ENOENT when it does not
 * exist, EFBIG when it is longer than max bytes, ENOMEM, or what open/read said. */
int file_read(const char *path, size_t max, buf *out);
/* Replace path with data, atomically, the new file having mode. 0, or -1 with errno
 * (nothing left behind: the temp file is removed). */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Make dir and its missing parents with mode (an existing folder is fine). 0 or -1
 * with errno. */
int file_mkdirs(const char *dir, mode_t mode);

#endif
