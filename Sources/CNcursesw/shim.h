// ncursesw for Swift. SwiftPM drops -D flags from pkg-config, so the wide-character API is
// switched on here, before <ncurses.h>. Macros and global mutable state that Swift 6 cannot
// import (getmaxyx, A_*, WACS_*, LINES/COLS/COLORS/COLOR_PAIRS/stdscr) become static inline
// accessors. Only the CursesTerminal target imports this module.
#ifndef CLIPSCOPE_CNCURSESW_SHIM_H
#define CLIPSCOPE_CNCURSESW_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>
#include <sys/ioctl.h>

/// TIOCGWINSZ of `fd`: cells and (when the terminal reports them) pixels; -1 on failure.
static inline int cs_winsize(int fd, int *cols, int *rows, int *xpixel, int *ypixel) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *cols = ws.ws_col; *rows = ws.ws_row; *xpixel = ws.ws_xpixel; *ypixel = ws.ws_ypixel;
    return 0;
}

static inline WINDOW *cs_stdscr(void) { return stdscr; }
static inline int cs_lines(void) { return LINES; }
static inline int cs_cols(void) { return COLS; }
static inline int cs_colors(void) { return COLORS; }
static inline int cs_color_pairs(void) { return COLOR_PAIRS; }
static inline int cs_getmaxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int cs_getmaxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }

static inline attr_t cs_a_normal(void) { return A_NORMAL; }
static inline attr_t cs_a_bold(void) { return A_BOLD; }
static inline attr_t cs_a_dim(void) { return A_DIM; }
static inline attr_t cs_a_reverse(void) { return A_REVERSE; }
static inline attr_t cs_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cs_a_italic(void) { return A_ITALIC; }
static inline attr_t cs_a_standout(void) { return A_STANDOUT; }

static inline int cs_key_resize(void) { return KEY_RESIZE; }
static inline int cs_key_mouse(void) { return KEY_MOUSE; }
static inline int cs_err(void) { return ERR; }
static inline int cs_ok(void) { return OK; }
static inline mmask_t cs_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t cs_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t cs_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t cs_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t cs_button5_pressed(void) { return BUTTON5_PRESSED; }

static inline const cchar_t *cs_wacs_hline(void) { return WACS_HLINE; }
static inline const cchar_t *cs_wacs_vline(void) { return WACS_VLINE; }
static inline const cchar_t *cs_wacs_ulcorner(void) { return WACS_ULCORNER; }
static inline const cchar_t *cs_wacs_urcorner(void) { return WACS_URCORNER; }
static inline const cchar_t *cs_wacs_llcorner(void) { return WACS_LLCORNER; }
static inline const cchar_t *cs_wacs_lrcorner(void) { return WACS_LRCORNER; }

/// Colour pairs above 255 do not fit the attr_t pair field: set them through wattr_set with
/// the pair number passed by pointer (the ncurses "extended colors" convention).
static inline int cs_wattr_set_pair(WINDOW *w, attr_t attrs, int pair) {
    return wattr_set(w, attrs, (short)(pair < 32767 ? pair : 0), &pair);
}
/// Draw one wide-character string (NUL-terminated) at y, x with the given attributes and pair.
static inline int cs_mvwaddwstr_attr(WINDOW *w, int y, int x, const wchar_t *s, attr_t attrs, int pair) {
    cs_wattr_set_pair(w, attrs, pair);
    return mvwaddwstr(w, y, x, s);
}
#endif
