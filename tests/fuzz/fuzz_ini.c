/* fuzz_ini.c - the profile-file parser must survive any bytes, in both file modes,
 * and whatever it returns must be well-formed (NUL-terminated names, lower-case keys). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tree(const ini_file *f)
{
    for (size_t i = 0; i < f->nsections; i++) {
        const ini_section *s = &f->sections[i];
        if (!s->name || s->name[0] == '\0' || s->kind == INI_OTHER)
            abort();
        if (ini_find(f, s->kind, s->name) == NULL)
            abort();
        for (size_t j = 0; j < s->nprops; j++) {
            const ini_prop *p = &s->props[j];
            for (const char *k = p->key; *k; k++)
                if (*k >= 'A' && *k <= 'Z')
                    abort();
            if (ini_get(s, p->key) == NULL)
                abort();
            for (size_t m = 0; m < p->nsub; m++)
                if (ini_get_sub(s, p->key, p->sub[m].key) == NULL)
                    abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int is_config = 0; is_config <= 1; is_config++) {
        ini_file f;
        aws_err err;
        if (ini_parse((const char *)data, size, is_config, &f, NULL, NULL, &err) == 0) {
            check_tree(&f);
            ini_free(&f);
        } else if (err.kind != AWS_ERR_CONFIG || f.nsections != 0) {
            abort();
        }
    }
    return 0;
}
