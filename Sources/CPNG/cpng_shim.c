// libpng from memory. Errors longjmp back to the setjmp in `run`; the row-pointer array (whole
// image) or the one row buffer (row by row) is the only heap allocation of ours and is freed on both
// paths. Row by row, every row is still read (so truncation and CRC damage anywhere are errors, as
// for the whole image), but only rows in [first_row, end_row) are handed to the callback.
#include "cpng_shim.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

typedef struct {
    const uint8_t *data;
    size_t size, pos;
    cs_png_info *info;
    png_bytep *rows;
    png_bytep row;
} cs_png_ctx;

static void cs_read(png_structp png, png_bytep out, size_t n) {
    cs_png_ctx *ctx = (cs_png_ctx *)png_get_io_ptr(png);
    if (n > ctx->size - ctx->pos) {
        ctx->info->hit_eof = 1;
        png_error(png, "unexpected end of PNG data");
    }
    memcpy(out, ctx->data + ctx->pos, n);
    ctx->pos += n;
}

static void cs_error(png_structp png, png_const_charp msg) {
    cs_png_ctx *ctx = (cs_png_ctx *)png_get_error_ptr(png);
    snprintf(ctx->info->message, sizeof ctx->info->message, "%s", msg);
    png_longjmp(png, 1);
}

static void cs_warning(png_structp png, png_const_charp msg) {
    cs_png_ctx *ctx = (cs_png_ctx *)png_get_error_ptr(png);
    if (ctx->info->warnings == 0) snprintf(ctx->info->warning, sizeof ctx->info->warning, "%s", msg);
    ctx->info->warnings++;
}

static void fill_header(png_structp png, png_infop pinfo, cs_png_info *info) {
    info->width = png_get_image_width(png, pinfo);
    info->height = png_get_image_height(png, pinfo);
    info->bit_depth = png_get_bit_depth(png, pinfo);
    info->color_type = png_get_color_type(png, pinfo);
    info->interlaced = png_get_interlace_type(png, pinfo) == PNG_INTERLACE_ADAM7;
    info->has_trns = png_get_valid(png, pinfo, PNG_INFO_tRNS) ? 1 : 0;
}

typedef struct {
    cs_png_row_fn fn;
    void *context;
    uint32_t first_row, end_row;
} cs_png_rows;

static int run(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, const cs_png_rows *by_row,
               cs_png_info *info) {
    cs_png_ctx ctx = {data, size, 0, info, NULL, NULL};
    memset(info, 0, sizeof *info);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(info->message, sizeof info->message, size < 8 ? "too short for a PNG" : "not a PNG signature");
        if (size < 8) info->hit_eof = 1;
        return -1;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, cs_error, cs_warning);
    if (!png) { snprintf(info->message, sizeof info->message, "out of memory"); return -1; }
    png_infop pinfo = png_create_info_struct(png);
    if (!pinfo) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(info->message, sizeof info->message, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        if (info->width == 0) {   // IHDR read before the error: report its size (0 otherwise)
            info->width = png_get_image_width(png, pinfo);
            info->height = png_get_image_height(png, pinfo);
        }
        free(ctx.rows);
        free(ctx.row);
        png_destroy_read_struct(&png, &pinfo, NULL);
        return -1;
    }
    png_set_read_fn(png, &ctx, cs_read);
    // A bad CRC is an error for every chunk (libpng's default only warns for ancillary chunks).
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    // The caller limits width × height itself; lift libpng's 1,000,000-per-side default so a
    // 2000000×1 strip is judged by its pixel count. Ancillary chunks (iCCP, zTXt ...) may not
    // inflate past 32 MB.
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_malloc_max(png, 32u * 1024u * 1024u);
    png_read_info(png, pinfo);
    fill_header(png, pinfo, info);
    if (out == NULL && by_row == NULL) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        return 0;
    }
    if (by_row != NULL && info->interlaced) png_error(png, "interlaced PNG: decode the whole image");

    int ct = info->color_type;
    if (ct == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((ct == PNG_COLOR_TYPE_GRAY || ct == PNG_COLOR_TYPE_GRAY_ALPHA) && info->bit_depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (info->bit_depth == 16) png_set_strip_16(png);           // high byte
    png_set_strip_alpha(png);                                   // alpha and tRNS-derived alpha dropped
    if (ct == PNG_COLOR_TYPE_GRAY || ct == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, pinfo);
    if (png_get_channels(png, pinfo) != 3 || png_get_bit_depth(png, pinfo) != 8 ||
        png_get_rowbytes(png, pinfo) != (size_t)info->width * 3) {
        png_error(png, "unexpected libpng output layout");
    }
    size_t row_bytes = (size_t)info->width * 3;
    if (by_row != NULL) {
        ctx.row = (png_bytep)malloc(row_bytes);
        if (!ctx.row) png_error(png, "out of memory");
        for (uint32_t y = 0; y < info->height; y++) {
            png_read_row(png, ctx.row, NULL);
            if (y >= by_row->first_row && y < by_row->end_row) by_row->fn(by_row->context, y, ctx.row);
        }
        free(ctx.row);
        ctx.row = NULL;
    } else {
        if (out_size < row_bytes * info->height) png_error(png, "output buffer too small");
        ctx.rows = (png_bytep *)malloc(sizeof(png_bytep) * info->height);
        if (!ctx.rows) png_error(png, "out of memory");
        for (uint32_t y = 0; y < info->height; y++) ctx.rows[y] = out + row_bytes * y;
        png_read_image(png, ctx.rows);
        free(ctx.rows);
        ctx.rows = NULL;
    }
    // Chunks after the image (and IEND) are checked, but damage there only warns: the pixels are complete.
    if (setjmp(png_jmpbuf(png))) {
        if (info->warnings == 0) snprintf(info->warning, sizeof info->warning, "after the image: %s", info->message);
        info->warnings++;
        info->message[0] = 0;
        info->hit_eof = 0;
        png_destroy_read_struct(&png, &pinfo, NULL);
        return 0;
    }
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &pinfo, NULL);
    return 0;
}

int cs_png_read_header(const uint8_t *data, size_t size, cs_png_info *info) {
    return run(data, size, NULL, 0, NULL, info);
}

int cs_png_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_png_info *info) {
    if (out == NULL) {
        memset(info, 0, sizeof *info);
        snprintf(info->message, sizeof info->message, "no output buffer");
        return -1;
    }
    return run(data, size, out, out_size, NULL, info);
}

int cs_png_decode_rows(const uint8_t *data, size_t size, uint32_t first_row, uint32_t end_row,
                       cs_png_row_fn fn, void *context, cs_png_info *info) {
    if (fn == NULL) {
        memset(info, 0, sizeof *info);
        snprintf(info->message, sizeof info->message, "no row callback");
        return -1;
    }
    cs_png_rows by_row = {fn, context, first_row, end_row};
    return run(data, size, NULL, 0, &by_row, info);
}
