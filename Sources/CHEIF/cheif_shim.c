// libheif from memory. The context reads the boxes without copying the data; the primary image (or
// one of its embedded thumbnails, for previews) is decoded on the calling thread with libheif's
// default decoding options (transformations applied) and convert_hdr_to_8bit, to interleaved RGB, or
// RGBA when there is alpha (as pillow-heif asks for it).
#include "cheif_shim.h"
#include <libheif/heif.h>
#include <stdio.h>
#include <string.h>

static void set_error(cs_heif_info *info, struct heif_error e, const char *what) {
    if (e.subcode == heif_suberror_End_of_data) info->truncated = 1;
    snprintf(info->message, sizeof info->message, "%s: %s", what, e.message ? e.message : "unknown libheif error");
}

/// Opens the context and the primary handle; fills the header fields. 0 or -1.
static int open_primary(const uint8_t *data, size_t size, cs_heif_info *info,
                        struct heif_context **ctx_out, struct heif_image_handle **handle_out) {
    memset(info, 0, sizeof *info);
    *ctx_out = NULL;
    *handle_out = NULL;
    struct heif_context *ctx = heif_context_alloc();
    if (ctx == NULL) {
        snprintf(info->message, sizeof info->message, "cannot allocate a libheif context");
        return -1;
    }
    heif_context_set_max_decoding_threads(ctx, 0);
    struct heif_error e = heif_context_read_from_memory_without_copy(ctx, data, size, NULL);
    if (e.code != heif_error_Ok) {
        set_error(info, e, "cannot read the HEIF container");
        heif_context_free(ctx);
        return -1;
    }
    info->images = heif_context_get_number_of_top_level_images(ctx);
    struct heif_image_handle *handle = NULL;
    e = heif_context_get_primary_image_handle(ctx, &handle);
    if (e.code != heif_error_Ok || handle == NULL) {
        set_error(info, e, "no primary image");
        heif_context_free(ctx);
        return -1;
    }
    int w = heif_image_handle_get_width(handle), h = heif_image_handle_get_height(handle);
    info->width = w > 0 ? (uint32_t)w : 0;
    info->height = h > 0 ? (uint32_t)h : 0;
    info->has_alpha = heif_image_handle_has_alpha_channel(handle);
    info->bit_depth = heif_image_handle_get_luma_bits_per_pixel(handle);
    if (w <= 0 || h <= 0) {
        snprintf(info->message, sizeof info->message, "primary image has no size (%dx%d)", w, h);
        heif_image_handle_release(handle);
        heif_context_free(ctx);
        return -1;
    }
    *ctx_out = ctx;
    *handle_out = handle;
    return 0;
}

int cs_heif_read_header(const uint8_t *data, size_t size, cs_heif_info *info) {
    struct heif_context *ctx;
    struct heif_image_handle *handle;
    if (open_primary(data, size, info, &ctx, &handle) != 0) return -1;
    heif_image_handle_release(handle);
    heif_context_free(ctx);
    return 0;
}

/// Decodes `handle` (the primary image or a thumbnail) into out as RGB8 (w*h*3 bytes, w × h the
/// handle's size). 0 or -1 (message set).
static int decode_handle(struct heif_image_handle *handle, size_t w, size_t h, int has_alpha,
                         uint8_t *out, size_t out_size, cs_heif_info *info, const char *what) {
    int status = -1;
    struct heif_image *img = NULL;
    struct heif_decoding_options *opts = NULL;
    if (out == NULL || w == 0 || out_size / 3 / w < h) {
        snprintf(info->message, sizeof info->message, "output buffer too small");
        goto done;
    }
    opts = heif_decoding_options_alloc();
    if (opts == NULL) {
        snprintf(info->message, sizeof info->message, "cannot allocate libheif decoding options");
        goto done;
    }
    opts->convert_hdr_to_8bit = 1;
    int bpp = has_alpha ? 4 : 3;
    struct heif_error e = heif_decode_image(handle, &img, heif_colorspace_RGB,
                                            has_alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, opts);
    if (e.code != heif_error_Ok || img == NULL) {
        set_error(info, e, what);
        goto done;
    }
    int iw = heif_image_get_width(img, heif_channel_interleaved), ih = heif_image_get_height(img, heif_channel_interleaved);
    int stride = 0;
    const uint8_t *p = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    if (p == NULL || iw < 0 || ih < 0 || (size_t)iw != w || (size_t)ih != h
        || heif_image_get_bits_per_pixel_range(img, heif_channel_interleaved) != 8 || (size_t)stride < w * bpp) {
        snprintf(info->message, sizeof info->message, "decoded image is %dx%d, not the %zux%zu the header gives", iw, ih, w, h);
        goto done;
    }
    for (size_t y = 0; y < h; y++) {
        const uint8_t *row = p + y * (size_t)stride;
        uint8_t *dst = out + y * w * 3;
        for (size_t x = 0; x < w; x++) {
            dst[3 * x] = row[bpp * x];
            dst[3 * x + 1] = row[bpp * x + 1];
            dst[3 * x + 2] = row[bpp * x + 2];
        }
    }
    status = 0;
done:
    if (img) heif_image_release(img);
    if (opts) heif_decoding_options_free(opts);
    return status;
}

int cs_heif_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_heif_info *info) {
    struct heif_context *ctx;
    struct heif_image_handle *handle;
    if (open_primary(data, size, info, &ctx, &handle) != 0) return -1;
    int status = decode_handle(handle, info->width, info->height, info->has_alpha, out, out_size, info, "cannot decode the primary image");
    heif_image_handle_release(handle);
    heif_context_free(ctx);
    return status;
}

/// Thumbnail `index` of the primary image when it is a scaled copy (aspect within 2 %) at least
/// min_w × min_h; NULL otherwise.
static struct heif_image_handle *thumbnail_handle(struct heif_image_handle *primary, int index, uint32_t min_w, uint32_t min_h) {
    int n = heif_image_handle_get_number_of_thumbnails(primary);
    if (index < 0 || index >= n || n > 64) return NULL;
    heif_item_id ids[64];
    if (heif_image_handle_get_list_of_thumbnail_IDs(primary, ids, n) != n) return NULL;
    struct heif_image_handle *t = NULL;
    struct heif_error e = heif_image_handle_get_thumbnail(primary, ids[index], &t);
    if (e.code != heif_error_Ok || t == NULL) return NULL;
    long tw = heif_image_handle_get_width(t), th = heif_image_handle_get_height(t);
    long pw = heif_image_handle_get_width(primary), ph = heif_image_handle_get_height(primary);
    // tw/th ≈ pw/ph within 2 %: |tw·ph − th·pw| ≤ 0.02 · th·pw.
    long cross = tw * ph - th * pw;
    if (tw < (long)min_w || th < (long)min_h || tw <= 0 || th <= 0 || 50 * (cross < 0 ? -cross : cross) > th * pw) {
        heif_image_handle_release(t);
        return NULL;
    }
    return t;
}

int cs_heif_thumbnail_for(const uint8_t *data, size_t size, uint32_t min_w, uint32_t min_h, cs_heif_info *info) {
    struct heif_context *ctx;
    struct heif_image_handle *handle;
    if (open_primary(data, size, info, &ctx, &handle) != 0) return -1;
    int best = -1;
    long best_area = 0;
    uint32_t bw = 0, bh = 0;
    int n = heif_image_handle_get_number_of_thumbnails(handle);
    for (int i = 0; i < n && i < 64; i++) {
        struct heif_image_handle *t = thumbnail_handle(handle, i, min_w, min_h);
        if (t == NULL) continue;
        long w = heif_image_handle_get_width(t), h = heif_image_handle_get_height(t);
        if (best < 0 || w * h < best_area) { best = i; best_area = w * h; bw = (uint32_t)w; bh = (uint32_t)h; }
        heif_image_handle_release(t);
    }
    if (best >= 0) { info->width = bw; info->height = bh; }
    heif_image_handle_release(handle);
    heif_context_free(ctx);
    return best;
}

int cs_heif_decode_thumbnail_rgb8(const uint8_t *data, size_t size, int index, uint8_t *out, size_t out_size, cs_heif_info *info) {
    struct heif_context *ctx;
    struct heif_image_handle *handle;
    if (open_primary(data, size, info, &ctx, &handle) != 0) return -1;
    int status = -1;
    struct heif_image_handle *t = thumbnail_handle(handle, index, 1, 1);
    if (t == NULL) {
        snprintf(info->message, sizeof info->message, "no usable thumbnail %d", index);
    } else {
        info->width = (uint32_t)heif_image_handle_get_width(t);
        info->height = (uint32_t)heif_image_handle_get_height(t);
        status = decode_handle(t, info->width, info->height, heif_image_handle_has_alpha_channel(t), out, out_size, info,
                               "cannot decode the thumbnail");
        heif_image_handle_release(t);
    }
    heif_image_handle_release(handle);
    heif_context_free(ctx);
    return status;
}
