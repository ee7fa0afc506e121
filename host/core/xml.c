/* xml.c - reading AWS's XML answers: libxml2 with everything that could reach out
 * (network, entities, DTDs) off, and the walk every reader needs. */
#include "iamsh/xml.h"

#include <libxml/parser.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

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

int xml_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

xmlNode *xml_child(const xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (xml_is(c, name))
            return c;
    return NULL;
}

const char *xml_text(const xmlNode *el, xmlChar **owned)
{
    *owned = NULL;
    xmlNode *c = el ? el->children : NULL;
    if (!c)
        return "";
    if (!c->next && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE))
        return c->content ? (const char *)c->content : "";
    *owned = xmlNodeGetContent(el);
    return *owned ? (const char *)*owned : "";
}
