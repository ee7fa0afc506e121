#include "iamsh/xml.h"

#include <libxml/parser.h>
#include <limits.h>
#include <pthread.h>

/* libxml2 reports some errors (encoding conversion) through its global handler
 * even with XML_PARSE_NOERROR: silence it once, for the whole process. */
static void xml_silent(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, xml_silent);
}

xmlDoc *xml_read(const char *text, size_t len, size_t max)
{
    if (!text || len == 0 || len > max || len > INT_MAX)
        return NULL;
    pthread_once(&xml_once, xml_init);
    xmlDoc *doc = xmlReadMemory(text, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                    XML_PARSE_NOCDATA);
    if (doc && (doc->intSubset || doc->extSubset)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}
