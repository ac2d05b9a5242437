// libwebp from memory. Every still or animated WebP goes through WebPAnimDecoder (as Pillow 11
// does): frame 1 is decoded into a zero-filled RGBA canvas, so pixels outside the first frame's
// rectangle are (0,0,0) and colour under transparent pixels is kept as stored.
#include "cwebp_shim.h"
#include <stdio.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

static int header(const uint8_t *data, size_t size, cs_webp_info *info) {
    memset(info, 0, sizeof *info);
    WebPBitstreamFeatures f;
    VP8StatusCode st = WebPGetFeatures(data, size, &f);
    if (st != VP8_STATUS_OK) {
        snprintf(info->message, sizeof info->message, "%s",
                 st == VP8_STATUS_NOT_ENOUGH_DATA ? "WebP data ends early" : "invalid WebP header");
        return -1;
    }
    info->width = (uint32_t)f.width;
    info->height = (uint32_t)f.height;
    info->has_alpha = f.has_alpha;
    info->has_animation = f.has_animation;
    info->frames = 1;
    return 0;
}

int cs_webp_read_header(const uint8_t *data, size_t size, cs_webp_info *info) {
    return header(data, size, info);
}

int cs_webp_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_webp_info *info) {
    if (header(data, size, info) != 0) return -1;
    size_t w = info->width, h = info->height;
    if (out == NULL || out_size < w * h * 3) {
        snprintf(info->message, sizeof info->message, "output buffer too small");
        return -1;
    }
    WebPData wd = {data, size};
    WebPAnimDecoderOptions opts;
    if (!WebPAnimDecoderOptionsInit(&opts)) {
        snprintf(info->message, sizeof info->message, "libwebp version mismatch");
        return -1;
    }
    opts.color_mode = MODE_RGBA;
    opts.use_threads = 0;
    WebPAnimDecoder *dec = WebPAnimDecoderNew(&wd, &opts);
    if (dec == NULL) {
        snprintf(info->message, sizeof info->message, "cannot parse the WebP container");
        return -1;
    }
    WebPAnimInfo ai;
    if (!WebPAnimDecoderGetInfo(dec, &ai) || ai.canvas_width != w || ai.canvas_height != h) {
        WebPAnimDecoderDelete(dec);
        snprintf(info->message, sizeof info->message, "inconsistent WebP canvas size");
        return -1;
    }
    info->frames = (int)ai.frame_count;
    uint8_t *rgba = NULL;
    int ts = 0;
    if (!WebPAnimDecoderGetNext(dec, &rgba, &ts) || rgba == NULL) {
        WebPAnimDecoderDelete(dec);
        snprintf(info->message, sizeof info->message, "cannot decode the first WebP frame (damaged or truncated data)");
        return -1;
    }
    for (size_t i = 0; i < w * h; i++) {
        out[3 * i] = rgba[4 * i];
        out[3 * i + 1] = rgba[4 * i + 1];
        out[3 * i + 2] = rgba[4 * i + 2];
    }
    WebPAnimDecoderDelete(dec);
    return 0;
}

int cs_webp_decode_scaled_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size,
                               int out_w, int out_h, cs_webp_info *info) {
    if (header(data, size, info) != 0) return -1;
    if (info->has_animation || out_w <= 0 || out_h <= 0 || out == NULL || out_size < (size_t)out_w * (size_t)out_h * 3) return -1;
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) return -1;
    config.options.use_scaling = 1;
    config.options.scaled_width = out_w;
    config.options.scaled_height = out_h;
    config.output.colorspace = MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = out;
    config.output.u.RGBA.stride = out_w * 3;
    config.output.u.RGBA.size = (size_t)out_w * (size_t)out_h * 3;
    VP8StatusCode st = WebPDecode(data, size, &config);
    WebPFreeDecBuffer(&config.output);
    if (st != VP8_STATUS_OK) {
        snprintf(info->message, sizeof info->message, "WebP scaled decode failed (%d)", (int)st);
        return -1;
    }
    return 0;
}
