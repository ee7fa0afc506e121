/* fuzz_json.c - JSON from outside (credential_process output, metadata answers,
 * aws.json.decode) through json_parse_all. Nothing may crash, leak or hang; an input
 * holding a raw NUL is never accepted; a refusal names a place inside the input; and
 * what is accepted prints, parses back and prints the same (one value, whole). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = (size_t)-1;
    cJSON *v = json_parse_all((const char *)data, size, &pos);
    if (!v) {
        if (pos > size)
            abort();
        return 0;
    }
    if (memchr(data, 0, size) != NULL)
        abort();
    char *once = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    if (!once)
        return 0; /* out of memory */
    cJSON *again = json_parse_all(once, strlen(once), NULL);
    if (!again)
        abort();
    char *twice = cJSON_PrintUnformatted(again);
    cJSON_Delete(again);
    if (twice && strcmp(once, twice) != 0)
        abort();
    free(once);
    free(twice);
    return 0;
}
