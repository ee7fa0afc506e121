/* local.c - the program's side of the local endpoint (iamsh_local.so, host/server):
 * `iamsh serve` hands its words to the module's entry; --local only announces itself
 * here (the AWS module opens the endpoint on first use, boundary.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "iamsh/boundary.h"

int local_serve(const host_options *o, const host_paths *p)
{
    void *h = dlopen(p->local, RTLD_LAZY | RTLD_LOCAL);
    iamsh_local_serve_fn serve = NULL;
    if (h)
        *(void **)&serve = dlsym(h, IAMSH_LOCAL_SERVE);
    if (!serve) {
        fprintf(stderr, "iamsh serve: cannot load the local endpoint %s: %s\n", p->local,
                dlerror());
        return EXIT_SCRIPT;
    }
    iamsh_library library = {p->scripts, p->bytecode, searcher_add_chunks};
    return serve(o->nargs, o->args, &library, o->quiet);
}

void local_banner(const host_options *o)
{
    if (o->local_state && !o->quiet && strcmp(o->command, "help") != 0)
        fprintf(stderr, "iamsh: local IAM and STS (state %s): no AWS account is used\n",
                o->local_state);
}
