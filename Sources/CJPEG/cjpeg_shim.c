// libjpeg(-turbo) from memory. The error manager longjmps back to the caller's setjmp, so
// no libjpeg error can exit() the process; every buffer comes from libjpeg's own pools (freed by
// jpeg_destroy_decompress), so the longjmp path leaks nothing.
#include "cjpeg_shim.h"
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    cs_jpeg_info *info;
} cs_error_mgr;

static void cs_error_exit(j_common_ptr cinfo) {
    cs_error_mgr *err = (cs_error_mgr *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(err->info->message, sizeof err->info->message, "%s", text);
    longjmp(err->jump, 1);
}

// level -1 = warning (corrupt or missing data); >= 0 = trace messages (ignored).
static void cs_emit_message(j_common_ptr cinfo, int level) {
    cs_error_mgr *err = (cs_error_mgr *)cinfo->err;
    if (level >= 0) return;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) err->info->hit_eof = 1;
    if (err->info->warnings == 0) {
        char text[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, text);
        snprintf(err->info->warning, sizeof err->info->warning, "%s", text);
    }
    err->info->warnings++;
    cinfo->err->num_warnings++;
}

static void cs_output_message(j_common_ptr cinfo) { (void)cinfo; }

static unsigned read16(const uint8_t *p, int big) {
    return big ? (unsigned)(p[0] << 8 | p[1]) : (unsigned)(p[1] << 8 | p[0]);
}
static uint32_t read32(const uint8_t *p, int big) {
    return big ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
               : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}

int cs_exif_orientation(const uint8_t *tiff, size_t size) {
    if (size < 8) return 0;
    int big;
    if (tiff[0] == 'I' && tiff[1] == 'I') big = 0;
    else if (tiff[0] == 'M' && tiff[1] == 'M') big = 1;
    else return 0;
    if (read16(tiff + 2, big) != 42) return 0;
    uint32_t ifd = read32(tiff + 4, big);
    if (ifd > size || size - ifd < 2) return 0;
    unsigned count = read16(tiff + ifd, big);
    for (unsigned i = 0; i < count; i++) {
        size_t entry = (size_t)ifd + 2 + 12 * (size_t)i;
        if (entry + 12 > size) return 0;
        if (read16(tiff + entry, big) != 0x0112) continue;
        if (read16(tiff + entry + 2, big) != 3) return 0;   // SHORT
        unsigned value = read16(tiff + entry + 8, big);
        return (value >= 1 && value <= 8) ? (int)value : 0;
    }
    return 0;
}

static int orientation_from_markers(j_decompress_ptr cinfo) {
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next) {
        if (m->marker != JPEG_APP0 + 1 || m->data_length < 14) continue;
        if (memcmp(m->data, "Exif\0\0", 6) != 0) continue;
        int o = cs_exif_orientation(m->data + 6, m->data_length - 6);
        if (o) return o;
    }
    return 0;
}

static void fill_header(j_decompress_ptr cinfo, cs_jpeg_info *info) {
    info->width = (int)cinfo->image_width;
    info->height = (int)cinfo->image_height;
    info->progressive = cinfo->progressive_mode ? 1 : 0;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE: info->color_space = 1; info->components = 1; break;
    case JCS_YCbCr: case JCS_RGB: info->color_space = 2; info->components = 3; break;
    case JCS_CMYK: case JCS_YCCK: info->color_space = 4; info->components = 4; break;
    default: info->color_space = 0; info->components = cinfo->num_components; break;
    }
    info->adobe_inverted = (info->color_space == 4 && cinfo->saw_Adobe_marker) ? 1 : 0;
    info->orientation = orientation_from_markers(cinfo);
}

// Output colour space for the file's colour space; -1 when unsupported.
static int choose_output(j_decompress_ptr cinfo, cs_jpeg_info *info) {
    switch (info->color_space) {
    case 1: cinfo->out_color_space = JCS_GRAYSCALE; return 0;
    case 2: cinfo->out_color_space = JCS_RGB; return 0;
    case 4: cinfo->out_color_space = JCS_CMYK; return 0;
    default:
        snprintf(info->message, sizeof info->message, "unsupported JPEG colour space (%d components)",
                 cinfo->num_components);
        return -1;
    }
}

static int valid_denom(int d) { return d == 1 || d == 2 || d == 4 || d == 8; }

// Rows handed to a callback instead of written to one output buffer (cs_jpeg_decode_rows).
typedef struct {
    cs_jpeg_row_fn fn;
    void *context;
    uint32_t first, end;
} cs_jpeg_rows;

// Shared driver: mode 0 = raw samples, mode 1 = RGB8. With `by_row`, each RGB8 row goes to its
// callback from a one-row buffer (out is unused) and every scanline is still read, so a file cut
// short is noticed (hit_eof) exactly as by the whole-image decode.
static int decode(const uint8_t *data, size_t size, int scale_denom, uint8_t *out, size_t out_size,
                  cs_jpeg_info *info, int header_only, int rgb8, const cs_jpeg_rows *by_row) {
    struct jpeg_decompress_struct cinfo;
    cs_error_mgr err;
    memset(info, 0, sizeof *info);
    if (!valid_denom(scale_denom)) {
        snprintf(info->message, sizeof info->message, "scale_denom must be 1, 2, 4 or 8 (got %d)", scale_denom);
        return -1;
    }
    if (size == 0) {
        snprintf(info->message, sizeof info->message, "empty JPEG data");
        return -1;
    }
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = cs_error_exit;
    err.pub.emit_message = cs_emit_message;
    err.pub.output_message = cs_output_message;
    err.info = info;
    if (setjmp(err.jump)) {
        if (cinfo.image_width > 0 && info->width == 0) {
            info->width = (int)cinfo.image_width;
            info->height = (int)cinfo.image_height;
        }
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    fill_header(&cinfo, info);
    if (choose_output(&cinfo, info) != 0) { jpeg_destroy_decompress(&cinfo); return -1; }
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)scale_denom;
    jpeg_calc_output_dimensions(&cinfo);
    info->output_width = (int)cinfo.output_width;
    info->output_height = (int)cinfo.output_height;
    if (header_only) { jpeg_destroy_decompress(&cinfo); return 0; }

    int comps = cinfo.out_color_components;
    size_t out_comps = rgb8 ? 3 : (size_t)comps;
    size_t row_out = (size_t)cinfo.output_width * out_comps;
    if (by_row == NULL && (out == NULL || out_size < row_out * cinfo.output_height)) {
        snprintf(info->message, sizeof info->message, "output buffer too small for %ux%u",
                 cinfo.output_width, cinfo.output_height);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_start_decompress(&cinfo);
    JSAMPARRAY row = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE,
                                                cinfo.output_width * (JDIMENSION)comps, 1);
    JSAMPARRAY one = by_row ? (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE, (JDIMENSION)row_out, 1) : NULL;
    int inverted = info->adobe_inverted;
    while (cinfo.output_scanline < cinfo.output_height) {
        JDIMENSION y = cinfo.output_scanline;
        if (jpeg_read_scanlines(&cinfo, row, 1) != 1) {
            snprintf(info->message, sizeof info->message, "JPEG decoder stopped at row %u of %u", y,
                     cinfo.output_height);
            jpeg_destroy_decompress(&cinfo);
            return -1;
        }
        if (by_row && (y < by_row->first || y >= by_row->end)) continue;   // read, not converted
        uint8_t *dst = by_row ? one[0] : out + row_out * y;
        const uint8_t *src = row[0];
        if (!rgb8 || comps == 3) {
            memcpy(dst, src, row_out);
        } else if (comps == 1) {
            for (JDIMENSION x = 0; x < cinfo.output_width; x++) {
                dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = src[x];
            }
        } else {
            // Pillow: CMYK;I un-inverts Adobe samples, then cmyk2rgb.
            for (JDIMENSION x = 0; x < cinfo.output_width; x++) {
                int c[4];
                for (int i = 0; i < 4; i++) c[i] = inverted ? 255 - src[4 * x + i] : src[4 * x + i];
                int nk = 255 - c[3];
                for (int i = 0; i < 3; i++) {
                    int t = c[i] * nk + 128;
                    int v = nk - (((t >> 8) + t) >> 8);
                    dst[3 * x + i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
                }
            }
        }
        if (by_row) by_row->fn(by_row->context, y, dst);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int cs_jpeg_read_header(const uint8_t *data, size_t size, int scale_denom, cs_jpeg_info *info) {
    return decode(data, size, scale_denom, NULL, 0, info, 1, 0, NULL);
}

int cs_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, uint8_t *out, size_t out_size,
                   cs_jpeg_info *info) {
    return decode(data, size, scale_denom, out, out_size, info, 0, 0, NULL);
}

int cs_jpeg_decode_rgb8(const uint8_t *data, size_t size, int scale_denom, uint8_t *out, size_t out_size,
                        cs_jpeg_info *info) {
    return decode(data, size, scale_denom, out, out_size, info, 0, 1, NULL);
}

int cs_jpeg_decode_rows(const uint8_t *data, size_t size, uint32_t first_row, uint32_t end_row,
                        cs_jpeg_row_fn fn, void *context, cs_jpeg_info *info) {
    if (fn == NULL) {
        memset(info, 0, sizeof *info);
        snprintf(info->message, sizeof info->message, "no row callback");
        return -1;
    }
    cs_jpeg_rows by_row = {fn, context, first_row, end_row};
    return decode(data, size, 1, NULL, 0, info, 0, 1, &by_row);
}
