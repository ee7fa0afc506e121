/* dynlib.h - a shared library opened when first needed, by its soname, and its
 * functions looked up by name.
 *
 * libcurl and libmicrohttpd are opened this way rather than linked: `iamsh --local`
 * and scripts that send no request never map them and the two dozen libraries they
 * bring (relocating those was a third of `iamsh --local run sagemaker`'s start). The
 * build records each soname from the library it found (CMakeLists.txt). */
#ifndef IAMSH_DYNLIB_H
#define IAMSH_DYNLIB_H
#include <stddef.h>

/* Open `soname` (RTLD_LAZY | RTLD_LOCAL; never closed) and fill fns[i] with the address
 * of names[i] for i < n. Lazy, as the dynamic linker binds a program's own libraries:
 * RTLD_NOW would also bind every function of the libraries it brings that were built
 * without -z now (Kerberos, GMP, librtmp...), which iamsh never calls. Returns 0, or -1
 * with a sentence in why naming the library and, when the library is there but a name
 * is not, the name. */
int dynlib_open(const char *soname, const char *const *names, void **fns, size_t n, char *why,
                size_t nwhy);

#endif
