/* dynlib.c - see dynlib.h. */
#include "iamsh/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

int dynlib_open(const char *soname, const char *const *names, void **fns, size_t n, char *why,
                size_t nwhy)
{
    void *lib = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(why, nwhy, "cannot load %s: %s", soname, e ? e : "unknown error");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        dlerror();
        fns[i] = dlsym(lib, names[i]);
        if (!fns[i]) {
            snprintf(why, nwhy, "%s has no function %s (a different version of the library?)",
                     soname, names[i]);
            return -1;
        }
    }
    return 0;
}
