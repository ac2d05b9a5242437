// libchafa (Debian libchafa-dev, which pulls glib-2.0 in through chafa.pc) for Swift: the symbol and
// sixel canvases behind terminal previews. Only the TermGraphics target imports this module.
#ifndef CLIPSCOPE_CCHAFA_SHIM_H
#define CLIPSCOPE_CCHAFA_SHIM_H
#include <chafa.h>

/// GString's bytes copied out and the GString freed (Swift cannot call g_string_free's macro form).
static inline char *cchafa_take(GString *s, size_t *len) {
    if (!s) { *len = 0; return NULL; }
    *len = s->len;
    return g_string_free(s, FALSE);
}
static inline void cchafa_free(void *p) { g_free(p); }
#endif
